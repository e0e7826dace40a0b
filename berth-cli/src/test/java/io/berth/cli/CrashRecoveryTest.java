package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: "a 201 means the bytes are on disk … kill -9 at any point leaves no partial blob visible and loses
 * nothing acknowledged". Runs {@code berth serve} as a separate process, pushes from several threads, kills the
 * process with SIGKILL mid-flight, restarts it on the same data directory and checks every acknowledged write.
 */
class CrashRecoveryTest {
    @TempDir
    Path data;

    @Test
    void everyAcknowledgedBlobAndManifestSurvivesKillDashNine() throws Exception {
        int port = ServerProcess.freePort();
        Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        Map<String, byte[]> manifests = new ConcurrentHashMap<>();
        ServerProcess first = ServerProcess.start(port, data);
        ExecutorService pushers = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pushers.submit(() -> pushUntilKilled(first, thread, blobs, manifests));
        }
        Instant until = Instant.now().plusSeconds(3);
        while (Instant.now().isBefore(until) || manifests.size() < 8) {
            Thread.sleep(50);
            assertThat(first.process().isAlive()).as("server alive while pushing").isTrue();
            assertThat(Instant.now()).as("pushes are acknowledged").isBefore(until.plusSeconds(60));
        }
        first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        pushers.shutdown();
        assertThat(pushers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        ServerProcess second = ServerProcess.start(port, data);
        try {
            for (var blob : blobs.entrySet()) {
                String repository = blob.getKey().substring(0, blob.getKey().indexOf('@'));
                String digest = blob.getKey().substring(blob.getKey().indexOf('@') + 1);
                HttpResponse<byte[]> response = second.get("/v2/" + repository + "/blobs/" + digest);
                assertThat(response.statusCode()).as("acknowledged blob %s", blob.getKey()).isEqualTo(200);
                assertThat(ServerProcess.sha256(response.body())).isEqualTo(digest);
            }
            for (var manifest : manifests.entrySet()) {
                HttpResponse<byte[]> response = second.get("/v2/" + manifest.getKey().replace(":", "/manifests/"));
                assertThat(response.statusCode()).as("acknowledged manifest %s", manifest.getKey()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(manifest.getValue());
            }
        } finally {
            second.process().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(ServerProcess.sha256(Files.readAllBytes(file))).as("no partial blob: %s", file)
                        .isEqualTo("sha256:" + file.getFileName());
            }
        }
        assertThat(blobs).hasSizeGreaterThan(8);
    }

    private void pushUntilKilled(ServerProcess server, int thread, Map<String, byte[]> blobs, Map<String, byte[]> manifests) {
        Random random = new Random(thread);
        String repository = "crash/t" + thread;
        try {
            for (int i = 0; ; i++) {
                byte[] layer = new byte[64 * 1024 + random.nextInt(512 * 1024)];
                random.nextBytes(layer);
                byte[] config = ("{\"thread\":" + thread + ",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                String layerDigest = pushBlob(server, repository, layer);
                blobs.put(repository + "@" + layerDigest, layer);
                String configDigest = pushBlob(server, repository, config);
                blobs.put(repository + "@" + configDigest, config);
                byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                        + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> put = ServerProcess.HTTP.send(HttpRequest.newBuilder(server.uri("/v2/" + repository + "/manifests/v" + i))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() == 201) {
                    manifests.put(repository + ":v" + i, manifest);
                }
            }
        } catch (IOException | InterruptedException killed) {
            // the server was killed: what was acknowledged so far is what must survive
        }
    }

    private static String pushBlob(ServerProcess server, String repository, byte[] content) throws IOException, InterruptedException {
        String digest = ServerProcess.sha256(content);
        HttpResponse<String> response = ServerProcess.HTTP.send(HttpRequest.newBuilder(server.uri("/v2/" + repository + "/blobs/uploads/?digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("push answered " + response.statusCode() + ": " + response.body());
        }
        return digest;
    }
}
