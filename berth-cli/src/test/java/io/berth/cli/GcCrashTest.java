package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection killed with SIGKILL at random points of its runs: after every restart each manifest that was
 * not deleted is completely pullable with the right bytes, and the run after the last restart finishes the work —
 * every blob of the deleted manifests is gone, files included, and nothing is reported missing.
 */
class GcCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    record Image(String repository, String digest, List<String> blobs) {
    }

    @Test
    void killedCollectionsLoseNothingReferencedAndTheNextRunFinishesTheirWork() throws Exception {
        Path config = Files.writeString(data.resolve("berth.yaml"), "gc:\n  interval: 0s\n  gracePeriod: 0s\n");
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(port, data, "--config", config.toString());
        List<Image> kept = new ArrayList<>();
        List<Image> deleted = new ArrayList<>();
        Random random = new Random(18);
        for (int i = 0; i < 240; i++) {
            Image image = pushImage(server, "crash/r" + (i % 4), i);
            if (i % 4 == 0) {
                kept.add(image);
            } else {
                assertThat(send(server, "DELETE", "/v2/" + image.repository() + "/manifests/" + image.digest(), null)
                        .statusCode()).isEqualTo(202);
                deleted.add(image);
            }
        }
        for (int crash = 0; crash < 4; crash++) {
            ServerProcess running = server;
            Thread collection = new Thread(() -> {
                try {
                    send(running, "POST", "/api/v1/admin/gc", null);
                } catch (IOException | InterruptedException killed) {
                    // the server died under the request: that is the point
                }
            });
            collection.start();
            if (crash == 0) {
                // Into the first sweep: as soon as the file of the first garbage blob (in digest order, the order of
                // the marks) is gone. Not by asking the server: a HEAD would protect the blob it asks about.
                String first = deleted.stream().flatMap(i -> i.blobs().stream()).min(String::compareTo).orElseThrow();
                Path file = blobFile(first);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && Files.exists(file)) {
                    Thread.onSpinWait();
                }
                assertThat(file).as("the first collection reached its sweep before the kill").doesNotExist();
            } else {
                Thread.sleep(20L * crash + random.nextInt(60));
            }
            server.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            collection.join();
            server = ServerProcess.start(port, data, "--config", config.toString());
            assertPullable(server, kept);
        }
        long garbageFilesLeft = deleted.stream().flatMap(i -> i.blobs().stream())
                .filter(blob -> Files.exists(blobFile(blob))).count();
        assertThat(garbageFilesLeft).as("the killed runs deleted some files already (their rows may remain)")
                .isLessThan(2L * deleted.size());
        try {
            HttpResponse<byte[]> last = send(server, "POST", "/api/v1/admin/gc", null);
            assertThat(last.statusCode()).as(new String(last.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            JsonNode report = JSON.readTree(last.body());
            assertThat(report.get("status").asText()).isEqualTo("done");
            assertThat(report.get("missingFiles").asLong()).isZero();
            assertThat(report.get("blobsDeleted").asLong()).isBetween(garbageFilesLeft, 2L * deleted.size());
            assertPullable(server, kept);
            for (Image image : deleted) {
                for (String blob : image.blobs()) {
                    assertThat(server.get("/v2/" + image.repository() + "/blobs/" + blob).statusCode()).isEqualTo(404);
                    assertThat(blobFile(blob)).doesNotExist();
                }
            }
            JsonNode runs = JSON.readTree(server.get("/api/v1/admin/gc").body()).get("runs");
            runs.forEach(run -> assertThat(run.get("status").asText()).isIn("done", "failed"));
            System.out.println("gc crash: runs, newest first: " + runs.findValuesAsText("status") + "; "
                    + (2L * deleted.size() - garbageFilesLeft) + " garbage files deleted by the killed runs, the last"
                    + " run deleted " + report.get("blobsDeleted") + " blobs");
        } finally {
            server.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
    }

    private static void assertPullable(ServerProcess server, List<Image> images) throws Exception {
        for (Image image : images) {
            assertThat(server.get("/v2/" + image.repository() + "/manifests/" + image.digest()).statusCode())
                    .isEqualTo(200);
            for (String blob : image.blobs()) {
                HttpResponse<byte[]> pulled = server.get("/v2/" + image.repository() + "/blobs/" + blob);
                assertThat(pulled.statusCode()).as("%s of %s", blob, image).isEqualTo(200);
                assertThat(ServerProcess.sha256(pulled.body())).isEqualTo(blob);
            }
        }
    }

    private static Image pushImage(ServerProcess server, String repository, int n) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[512 + n];
        new Random(n).nextBytes(layer);
        String configDigest = pushBlob(server, repository, config);
        String layerDigest = pushBlob(server, repository, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = send(server, "PUT", "/v2/" + repository + "/manifests/t" + n, manifest,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return new Image(repository, ServerProcess.sha256(manifest), List.of(configDigest, layerDigest));
    }

    private static String pushBlob(ServerProcess server, String repository, byte[] content) throws Exception {
        String digest = ServerProcess.sha256(content);
        HttpResponse<byte[]> put = send(server, "POST", "/v2/" + repository + "/blobs/uploads/?digest=" + digest,
                content, "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).isEqualTo(201);
        return digest;
    }

    private static HttpResponse<byte[]> send(ServerProcess server, String method, String path, byte[] body,
                                             String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return ServerProcess.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
