package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_CONFIG;
import static io.berth.server.api.RegistryHttp.OCI_LAYER;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.randomBytes;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.config.BerthConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bit rot and lost files behind the registry's back: a byte flipped in a stored blob, a blob file deleted. A small blob
 * is verified on every GET and never served rotten; a large one is found by the scrub. Either is quarantined and then
 * unknown to GET, HEAD, mounts and manifest pushes alike, so that clients push it again; and a push of the right bytes
 * heals it, without a restart. A missing file is unknown to HEAD as to GET, and a mount of it becomes an upload. The
 * scrub also on PostgreSQL (its page through the blob rows and the readiness write are the database's).
 */
class BlobRotTest {
    private static final String REPO = "rot/app";
    private static final String OTHER = "rot/other";
    /** Blobs up to this size are verified on GET; the test's "large" layer is above it. */
    private static final int VERIFY_BELOW = 1024;
    private static final String STATS = "berth_storage_operation_seconds_count\\{driver=\"filesystem\",operation=\"stat\"}";

    @TempDir
    Path data;

    private BerthFixture start() {
        return start(UnaryOperator.identity());
    }

    private BerthFixture start(UnaryOperator<BerthConfig> database) {
        return BerthFixture.start(data, config -> database.apply(config)
                .withStorage(config.storage().withVerifyOnReadBelow(VERIFY_BELOW)));
    }

    @Test
    void aRottenSmallBlobIsNeverServedIsQuarantinedAndARepushHealsIt() throws Exception {
        try (BerthFixture registry = start()) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            RegistryHttp.Descriptor blob = http.pushBlob(REPO, OCI_CONFIG, config);
            assertThat(http.head("/v2/" + REPO + "/blobs/" + blob.digest()).statusCode()).isEqualTo(200);

            flipAByte(blobFile(blob.digest()));

            assertError(http.get("/v2/" + REPO + "/blobs/" + blob.digest()), 404, "BLOB_UNKNOWN");
            assertThat(blobFile(blob.digest())).doesNotExist();
            assertThat(quarantined(blob.digest())).as("kept aside for the operator").isTrue();
            assertThat(http.head("/v2/" + REPO + "/blobs/" + blob.digest()).statusCode()).isEqualTo(404);
            assertThat(metric(http, "berth_blob_corrupt_reads_total")).isEqualTo(1);
            assertThat(metric(http, "berth_blob_quarantined_total")).isEqualTo(1);
            assertError(http.putManifest(REPO, "v1", OCI_MANIFEST, RegistryHttp.ImageManifest.of(blob).json()),
                    400, "MANIFEST_BLOB_UNKNOWN");

            http.pushBlob(REPO, OCI_CONFIG, config);
            HttpResponse<byte[]> healed = http.get("/v2/" + REPO + "/blobs/" + blob.digest());
            assertThat(healed.statusCode()).isEqualTo(200);
            assertThat(healed.body()).isEqualTo(config);
            http.pushManifest(REPO, "v1", OCI_MANIFEST, RegistryHttp.ImageManifest.of(blob).json());
        }
    }

    @Test
    void aManifestPushRightAfterTheClientsHeadsStatsNoBlobAgainYetAFileMissingSinceIsRefused() throws Exception {
        try (BerthFixture registry = start()) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.Descriptor config = http.pushBlob(REPO, OCI_CONFIG,
                    "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
            RegistryHttp.Descriptor layer = http.pushBlob(REPO, OCI_LAYER, randomBytes(4096));
            for (RegistryHttp.Descriptor blob : new RegistryHttp.Descriptor[] {config, layer}) {
                assertThat(http.head("/v2/" + REPO + "/blobs/" + blob.digest()).statusCode()).isEqualTo(200);
            }
            double stats = metric(http, STATS);
            http.pushManifest(REPO, "v1", OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).layer(layer).json());
            assertThat(metric(http, STATS)).as("the HEADs found both files a moment ago").isEqualTo(stats);

            Files.delete(blobFile(layer.digest()));
            Thread.sleep(1100);
            assertError(http.putManifest(REPO, "v2", OCI_MANIFEST, RegistryHttp.ImageManifest.of(config).layer(layer)
                    .json()), 400, "MANIFEST_BLOB_UNKNOWN");
            assertThat(metric(http, STATS)).isGreaterThan(stats);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aScrubFindsRottenAndMissingBlobsQuarantinesThemAndRepushesHeal(String kind) throws Exception {
        if (kind.equals("postgresql")) {
            try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
                scrubFindsAndRepushesHeal(config -> config.withDatabase(schema.config()));
            }
        } else {
            scrubFindsAndRepushesHeal(UnaryOperator.identity());
        }
    }

    private void scrubFindsAndRepushesHeal(UnaryOperator<BerthConfig> database) throws Exception {
        try (BerthFixture registry = start(database)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            byte[] layer = randomBytes(256 << 10);
            byte[] lost = randomBytes(4096);
            RegistryHttp.Descriptor rotten = http.pushBlob(REPO, OCI_LAYER, layer);
            RegistryHttp.Descriptor missing = http.pushBlob(REPO, OCI_LAYER, lost);
            RegistryHttp.Descriptor intact = http.pushBlob(REPO, OCI_LAYER, randomBytes(2048));
            // Answered from the index's cache from now on, and the second from the stat HEAD remembers for a second:
            // the HEAD below, after that second, must still look at the file.
            assertThat(http.head("/v2/" + REPO + "/blobs/" + missing.digest()).statusCode()).isEqualTo(200);
            assertThat(http.head("/v2/" + REPO + "/blobs/" + missing.digest()).statusCode()).isEqualTo(200);

            flipAByte(blobFile(rotten.digest()));
            Files.delete(blobFile(missing.digest()));
            Thread.sleep(1100);

            assertThat(http.head("/v2/" + REPO + "/blobs/" + missing.digest()).statusCode())
                    .as("HEAD agrees with GET").isEqualTo(404);
            assertError(http.get("/v2/" + REPO + "/blobs/" + missing.digest()), 404, "BLOB_UNKNOWN");
            HttpResponse<byte[]> mount = http.post("/v2/" + OTHER + "/blobs/uploads/?mount=" + missing.digest()
                    + "&from=" + REPO);
            assertThat(mount.statusCode()).as("no mount of missing bytes, an upload instead: %s", body(mount))
                    .isEqualTo(202);

            long started = System.nanoTime();
            HttpResponse<byte[]> scrub = http.post("/api/v1/admin/scrub");
            long scrubMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(scrub.statusCode()).as(body(scrub)).isEqualTo(200);
            JsonNode report = json(scrub);
            assertThat(report.get("status").asText()).isEqualTo("done");
            assertThat(report.get("blobsChecked").asLong()).isEqualTo(3);
            assertThat(report.get("corrupt").asLong()).isEqualTo(1);
            assertThat(report.get("corruptDigests").get(0).asText()).isEqualTo(rotten.digest());
            assertThat(report.get("missing").asLong()).isEqualTo(1);
            assertThat(report.get("missingDigests").get(0).asText()).isEqualTo(missing.digest());
            System.out.printf("scrub of 3 blobs (%d KiB): %d ms%n", (layer.length + lost.length + 2048) >> 10,
                    scrubMillis);
            assertThat(metric(http, "berth_scrub_corrupt_blobs_total")).isEqualTo(1);
            assertThat(metric(http, "berth_scrub_missing_blobs_total")).isEqualTo(1);

            assertThat(quarantined(rotten.digest())).isTrue();
            assertError(http.get("/v2/" + REPO + "/blobs/" + rotten.digest()), 404, "BLOB_UNKNOWN");
            assertThat(http.head("/v2/" + REPO + "/blobs/" + rotten.digest()).statusCode()).isEqualTo(404);
            assertError(http.putManifest(REPO, "v1", OCI_MANIFEST, RegistryHttp.ImageManifest.of(intact)
                    .layer(rotten).json()), 400, "MANIFEST_BLOB_UNKNOWN");
            assertThat(http.getManifest(REPO, "v1").statusCode()).as("nothing was written").isEqualTo(404);
            JsonNode runs = json(http.get("/api/v1/admin/scrub"));
            assertThat(runs.get("runs").get(0).get("id").asLong()).isEqualTo(report.get("id").asLong());

            http.pushBlob(REPO, OCI_LAYER, layer);
            http.pushBlob(REPO, OCI_LAYER, lost);
            assertThat(http.get("/v2/" + REPO + "/blobs/" + rotten.digest()).body()).isEqualTo(layer);
            assertThat(http.head("/v2/" + REPO + "/blobs/" + missing.digest()).statusCode()).isEqualTo(200);
            assertThat(http.post("/v2/" + OTHER + "/blobs/uploads/?mount=" + missing.digest() + "&from=" + REPO)
                    .statusCode()).as("mounts again").isEqualTo(201);
            http.pushManifest(REPO, "v1", OCI_MANIFEST, RegistryHttp.ImageManifest.of(intact).layer(rotten).json());
            JsonNode clean = json(http.post("/api/v1/admin/scrub"));
            assertThat(clean.get("corrupt").asLong() + clean.get("missing").asLong()).isZero();
        }
    }

    private Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return data.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private boolean quarantined(String digest) throws Exception {
        Path dir = data.resolve("quarantine").resolve("sha256");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(digest.substring("sha256:".length())));
        }
    }

    private static void flipAByte(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(file, bytes);
    }

    private static double metric(RegistryHttp http, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)").matcher(body(http.get("/metrics")));
        assertThat(m.find()).as("%s is exposed", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
