package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's read-only mode: switched on and off through the admin API without a restart, or set in the
 * configuration. Every write (blob and manifest pushes, deletes, mounts, a garbage collection that would delete) is
 * refused with 503 {@code DENIED} "the registry is read-only" and the operator's reason; every read is served, and
 * {@code /readyz} stays 200 (the node still serves reads) while saying it is read-only.
 */
class ReadOnlyModeTest {
    private static final String REPO = "maintenance/app";

    @TempDir
    Path data;

    @Test
    void theOperatorsReadOnlyModeRefusesEveryWriteServesEveryReadAndEndsWithoutARestart() {
        try (BerthFixture registry = BerthFixture.start(data)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.Descriptor image = http.pushImage(REPO, "v1");
            RegistryHttp.ImageManifest more = http.imageWithBlobs(REPO);
            RegistryHttp.Descriptor layer = http.pushBlob(REPO, randomBytes(300));

            HttpResponse<byte[]> on = http.post("/api/v1/admin/read-only?enabled=true&reason=nightly%20backup");
            assertThat(on.statusCode()).as(body(on)).isEqualTo(200);
            assertThat(json(on).get("readOnly").asBoolean()).isTrue();
            assertThat(json(on).at("/manual/reason").asText()).isEqualTo("nightly backup");

            for (HttpResponse<byte[]> write : new HttpResponse[] {
                    http.post("/v2/" + REPO + "/blobs/uploads/"),
                    http.post("/v2/other/blobs/uploads/?mount=" + layer.digest() + "&from=" + REPO),
                    http.putManifest(REPO, "v2", OCI_MANIFEST, more.json()),
                    http.delete("/v2/" + REPO + "/manifests/v1"),
                    http.delete("/v2/" + REPO + "/blobs/" + layer.digest()),
                    http.post("/api/v1/admin/gc")}) {
                assertError(write, 503, "DENIED");
                JsonNode error = json(write).at("/errors/0");
                assertThat(error.get("message").asText()).isEqualTo("the registry is read-only");
                assertThat(error.get("detail").asText()).contains("nightly backup");
                assertThat(header(write, "Retry-After")).as("no promise while the operator holds it").isEmpty();
            }
            assertThat(http.getManifest(REPO, "v1").statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/" + REPO + "/blobs/" + layer.digest()).statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/" + REPO + "/tags/list").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/v1/admin/gc?dryRun=true").statusCode()).as("a dry run deletes nothing")
                    .isEqualTo(200);
            HttpResponse<byte[]> ready = http.get("/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("readOnly").asBoolean()).isTrue();
            assertThat(json(ready).get("reasons").toString()).contains("nightly backup");
            assertThat(json(http.get("/api/v1/admin/read-only")).get("readOnly").asBoolean()).isTrue();

            HttpResponse<byte[]> off = http.post("/api/v1/admin/read-only?enabled=false");
            assertThat(json(off).get("readOnly").asBoolean()).isFalse();
            http.pushManifest(REPO, "v2", OCI_MANIFEST, more.json());
            assertThat(http.delete("/v2/" + REPO + "/manifests/" + image.digest()).statusCode()).isEqualTo(202);
            assertError(http.post("/api/v1/admin/read-only"), 400, "UNSUPPORTED");
        }
    }

    @Test
    void storageReadOnlyInTheConfigurationStartsTheRegistryReadOnly() {
        try (BerthFixture registry = BerthFixture.start(data)) {
            new RegistryHttp(registry.baseUri()).pushImage(REPO, "v1");
        }
        try (BerthFixture registry = BerthFixture.start(data, c -> c.withStorage(c.storage().withReadOnly(true)))) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            HttpResponse<byte[]> push = http.post("/v2/" + REPO + "/blobs/uploads/");
            assertError(push, 503, "DENIED");
            assertThat(json(push).at("/errors/0/detail").asText()).contains("storage.readOnly");
            assertThat(http.getManifest(REPO, "v1").statusCode()).isEqualTo(200);
        }
    }
}
