package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCTET_STREAM;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.sha256;
import static io.berth.server.api.RegistryHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.server.api.RegistryHttp.Descriptor;
import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** end-11 {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other_name>}: spec "Mounting a blob". */
class BlobMountTest {
    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void mountFromAnotherRepositoryAnswers201WithLocationAndDigest() {
        byte[] content = RegistryHttp.randomBytes(500);
        Descriptor blob = http.pushBlob("mount/source", content);

        HttpResponse<byte[]> mount = http.post("/v2/mount/target/blobs/uploads/?mount=" + blob.digest()
                + "&from=mount/source");

        // "The response to a successful mount MUST be 201 Created, and MUST contain ... Location: <blob-location>"
        assertThat(mount.statusCode()).as(body(mount)).isEqualTo(201);
        assertThat(header(mount, "Docker-Content-Digest")).contains(blob.digest());
        HttpResponse<byte[]> pulled = http.get(http.location(mount).toString());
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(content);
        assertThat(http.get("/v2/mount/target/blobs/" + blob.digest()).body()).isEqualTo(content);
    }

    @Test
    void mountOfAnUnknownBlobStartsAnUploadSessionInstead() {
        // "if a registry ... is unable to mount the requested blob, it SHOULD return a 202. This indicates that the
        // upload session has begun and that the client MAY proceed with the upload."
        byte[] content = RegistryHttp.randomBytes(200);
        String digest = sha256(content);

        HttpResponse<byte[]> mount = http.post("/v2/mount/fallback/blobs/uploads/?mount=" + digest + "&from=mount/source");

        assertThat(mount.statusCode()).as(body(mount)).isEqualTo(202);
        HttpResponse<byte[]> put = http.send("PUT", withQuery(http.location(mount), "digest", digest), content,
                "Content-Type", OCTET_STREAM);
        assertThat(put.statusCode()).as(body(put)).isEqualTo(201);
        assertThat(http.get("/v2/mount/fallback/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void mountFromARepositoryThatDoesNotHoldTheBlobDoesNotMountIt() {
        // The blob exists in the registry, but not in the named source repository.
        Descriptor blob = http.pushBlob("mount/holder", RegistryHttp.randomBytes(100));
        http.pushBlob("mount/other", RegistryHttp.randomBytes(10));

        HttpResponse<byte[]> mount = http.post("/v2/mount/wrongsource/blobs/uploads/?mount=" + blob.digest()
                + "&from=mount/other");

        assertThat(mount.statusCode()).as(body(mount)).isIn(201, 202);
        if (mount.statusCode() == 202) {
            assertThat(http.head("/v2/mount/wrongsource/blobs/" + blob.digest()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void mountWithoutFromEitherMountsOrStartsAnUpload() {
        // "The registry MAY treat the from parameter as optional, and it MAY cross-mount the blob if it can be found."
        Descriptor blob = http.pushBlob("mount/anywhere", RegistryHttp.randomBytes(100));

        HttpResponse<byte[]> mount = http.post("/v2/mount/nofrom/blobs/uploads/?mount=" + blob.digest());

        assertThat(mount.statusCode()).as(body(mount)).isIn(201, 202);
        assertThat(http.location(mount)).isNotNull();
    }

    @Test
    void mountWithoutFromFindsTheBlobElsewhereInTheRegistry() {
        assumeTrue(registry.isBerth(), "optional `from` is a MAY; Distribution 2.8 ignores mount= without from="
                + " and starts an upload (202)");
        byte[] content = RegistryHttp.randomBytes(100);
        Descriptor blob = http.pushBlob("mount/somewhere", content);

        HttpResponse<byte[]> mount = http.post("/v2/mount/nofrom2/blobs/uploads/?mount=" + blob.digest());

        assertThat(mount.statusCode()).as(body(mount)).isEqualTo(201);
        assertThat(header(mount, "Docker-Content-Digest")).contains(blob.digest());
        assertThat(http.get("/v2/mount/nofrom2/blobs/" + blob.digest()).body()).isEqualTo(content);
    }
}
