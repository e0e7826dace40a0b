package io.berth.server.api;

import static io.berth.server.api.RegistryHttp.OCI_CONFIG;
import static io.berth.server.api.RegistryHttp.OCI_MANIFEST;
import static io.berth.server.api.RegistryHttp.OCTET_STREAM;
import static io.berth.server.api.RegistryHttp.assertError;
import static io.berth.server.api.RegistryHttp.body;
import static io.berth.server.api.RegistryHttp.header;
import static io.berth.server.api.RegistryHttp.json;
import static io.berth.server.api.RegistryHttp.randomBytes;
import static io.berth.server.api.RegistryHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.blob.BlobStore;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.FaultyBlobStore;
import io.berth.server.testing.FaultyBlobStore.Fault;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and a read-only file system, put between the registry and its disk through the storage interface
 * ({@link FaultyBlobStore}: the tests run as root here, where {@code chmod} does not stop writes, and a real small file
 * system is {@link SmallFileSystemTest}'s). Each asserts what a client sees (status, error envelope, {@code /readyz}),
 * that nothing it had acknowledged is lost and nothing half-written is left, and that the registry heals without a
 * restart once the fault is gone, measuring how long that takes.
 */
class StorageFaultsTest {
    private static final String REPO = "faults/app";
    /** Checks every 200 ms: the tests wait for a few of them. */
    private static final Duration QUICK = Duration.ofMillis(200);
    /** Never again after the check at start: the write itself meets the fault, before readiness notices. */
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path data;

    private final AtomicReference<FaultyBlobStore> disk = new AtomicReference<>();

    private BerthFixture start(Duration checkInterval) {
        return BerthFixture.start(data, config -> config.withStorage(config.storage().withCheckInterval(checkInterval)
                .withMinFreeSpace(1 << 20)), faulty());
    }

    private UnaryOperator<BlobStore> faulty() {
        return store -> {
            disk.set(new FaultyBlobStore(store));
            return disk.get();
        };
    }

    @Test
    void aWriteThatMeetsAFullDiskIsAnswered507StorageFullAndLeavesNothingBehind() throws Exception {
        try (BerthFixture registry = start(NEVER)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.Descriptor pushed = http.pushImage(REPO, "before");
            URI open = http.startUpload(REPO);
            disk.get().fail(Fault.FULL);

            byte[] blob = randomBytes(4096);
            HttpResponse<byte[]> oneRequest = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob),
                    blob, "Content-Type", OCTET_STREAM);
            assertStorageFull(oneRequest);
            HttpResponse<byte[]> chunk = http.send("PATCH", open.toString(), randomBytes(100_000),
                    "Content-Type", OCTET_STREAM);
            assertStorageFull(chunk);
            assertStorageFull(http.post("/v2/" + REPO + "/blobs/uploads/"));

            assertThat(http.getManifest(REPO, "before").statusCode()).as("reads go on").isEqualTo(200);
            assertThat(uploadFiles()).as("only the session the client holds; the failed ones left nothing")
                    .containsExactly(open.getPath().substring(open.getPath().lastIndexOf('/') + 1));

            disk.get().fail(Fault.NONE);
            http.pushImage(REPO, "after");
            HttpResponse<byte[]> retried = http.send("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob),
                    blob, "Content-Type", OCTET_STREAM);
            assertThat(retried.statusCode()).as("heals without a restart: %s", body(retried)).isEqualTo(201);
            assertThat(http.getManifest(REPO, pushed.digest()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFullDiskMakesTheRegistryReadOnlyAndNotReadyUntilSpaceReturns() throws Exception {
        try (BerthFixture registry = start(QUICK)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            RegistryHttp.Descriptor kept = http.pushImage(REPO, "kept");
            byte[] config = ("{\"kept\":true}").getBytes();
            RegistryHttp.Descriptor blob = http.pushBlob(REPO, OCI_CONFIG, config);

            disk.get().fail(Fault.FULL);
            JsonNode notReady = awaitReadiness(http, 503);
            assertThat(notReady.get("ready").asBoolean()).isFalse();
            assertThat(notReady.get("readOnly").asBoolean()).isTrue();
            assertThat(notReady.get("reasons").toString()).contains("below the reserve").contains("storage is full");

            HttpResponse<byte[]> push = http.post("/v2/" + REPO + "/blobs/uploads/");
            assertError(push, 503, "DENIED");
            assertThat(json(push).at("/errors/0/message").asText()).isEqualTo("the registry is read-only");
            assertThat(json(push).at("/errors/0/detail").asText()).contains("storage.minFreeSpace");
            assertThat(header(push, "Retry-After")).as("it heals by itself").isPresent();
            assertError(http.putManifest(REPO, "new", OCI_MANIFEST, new byte[] {'{', '}'}), 503, "DENIED");
            assertError(http.delete("/v2/" + REPO + "/manifests/kept"), 503, "DENIED");
            assertThat(http.getManifest(REPO, "kept").statusCode()).isEqualTo(200);
            assertThat(http.get("/v2/" + REPO + "/blobs/" + blob.digest()).body()).isEqualTo(config);

            long freed = System.nanoTime();
            disk.get().fail(Fault.NONE);
            awaitReadiness(http, 200);
            http.pushImage(REPO, "after");
            long recoveryMillis = (System.nanoTime() - freed) / 1_000_000;
            System.out.printf("full disk: ready and taking pushes %d ms after space returned (checks every %d ms)%n",
                    recoveryMillis, QUICK.toMillis());
            assertThat(recoveryMillis).isLessThan(5_000);
            assertThat(http.getManifest(REPO, kept.digest()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aReadOnlyFileSystemIsReportedAndRefusedUntilItTakesWritesAgain() throws Exception {
        try (BerthFixture registry = start(NEVER)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            http.pushImage(REPO, "kept");
            disk.get().fail(Fault.READ_ONLY);

            HttpResponse<byte[]> push = http.post("/v2/" + REPO + "/blobs/uploads/");
            assertError(push, 503, "DENIED");
            assertThat(json(push).at("/errors/0/message").asText()).isEqualTo("storage is read-only");
            assertThat(json(push).at("/errors/0/detail").asText()).contains("Read-only file system");
        }
        disk.set(null);
        try (BerthFixture registry = start(QUICK)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());
            disk.get().fail(Fault.READ_ONLY);
            JsonNode notReady = awaitReadiness(http, 503);
            assertThat(notReady.get("reasons").toString())
                    .contains("the data directory cannot take writes: storage is read-only (")
                    .contains("Read-only file system");
            assertThat(notReady.get("checks").toString()).contains("\"name\":\"database\",\"ok\":true");
            assertThat(http.getManifest(REPO, "kept").statusCode()).isEqualTo(200);
            assertError(http.post("/v2/" + REPO + "/blobs/uploads/"), 503, "DENIED");

            disk.get().fail(Fault.NONE);
            awaitReadiness(http, 200);
            http.pushImage(REPO, "after");
        }
    }

    private static void assertStorageFull(HttpResponse<byte[]> response) {
        assertError(response, 507, "DENIED");
        JsonNode error = json(response).at("/errors/0");
        assertThat(error.get("message").asText()).isEqualTo("storage is full");
        assertThat(error.get("detail").asText()).contains("No space left on device");
    }

    /** Polls {@code /readyz} until it answers {@code status} (at most 10 s); its JSON. */
    private static JsonNode awaitReadiness(RegistryHttp http, int status) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        HttpResponse<byte[]> ready;
        do {
            ready = http.get("/readyz");
            if (ready.statusCode() == status) {
                assertThat(RegistryHttp.contentType(ready)).isEqualTo("application/json");
                return json(ready);
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/readyz stayed " + ready.statusCode() + ": " + body(ready));
    }

    private List<String> uploadFiles() throws Exception {
        try (Stream<Path> files = Files.list(data.resolve("uploads"))) {
            return new ArrayList<>(files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
        }
    }
}
