package io.berth.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.server.blob.BlobStore;
import io.berth.server.blob.S3BlobStore;
import io.berth.server.blob.S3Config;
import io.berth.server.blob.S3ProxyServer;
import io.berth.server.gc.GcConfig;
import io.berth.server.interop.OciImages.Blob;
import io.berth.server.interop.OciImages.Image;
import io.berth.server.testing.BerthFixture;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth with {@code storage.driver: s3} (and SQLite) on s3proxy, end to end: skopeo pushes and pulls an image whose
 * layer spans S3 parts, a client pushes a blob in PATCHes far below S3's 5 MiB part minimum, a registry configured
 * to redirect answers blob GETs with 307 to a presigned URL that serves the right bytes, and garbage collection
 * deletes an unreferenced blob's object. Nothing is written under the data directory's blobs/.
 */
class S3RegistryTest {
    private static final int MIB = 1 << 20;
    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static Vertx vertx;
    static S3BlobStore bucket;
    static BerthFixture registry;
    static ToolRunner tools;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        ToolRunner.requireTool("skopeo", "skopeo");
        ToolRunner.requireTool("unshare", "util-linux");
        s3 = S3ProxyServer.inProcess(tmp.resolve("s3"));
        vertx = Vertx.vertx();
        S3Config config = s3.config().withPrefix("e2e/");
        bucket = S3BlobStore.open(config, vertx); // the test's own view of the bucket
        registry = BerthFixture.start(tmp.resolve("data"), c -> c.withStorageDriver(config)
                .withGc(new GcConfig(Duration.ZERO, Duration.ZERO)));
        tools = ToolRunner.create(tmp.resolve("tools"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (tools != null) {
            tools.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(BerthFixture server, String path) {
        return URI.create(server.baseUri() + path);
    }

    @Test
    void skopeoPushesAndPullsAnImageWhoseBlobsLiveInTheBucket() {
        // incompressible: the gzip layer stays above 7 MiB, so its upload sends a part and commits by part copy
        Image image = OciImages.image("linux", "amd64", Map.of("big.bin", random(7 * MIB, 1)));
        assertThat(image.layer().bytes().length).isGreaterThan(7 * MIB);
        Path source = OciImages.writeLayout(tmp.resolve("src"), "v1", image.manifest(), image.blobs());
        String ref = "docker://" + registry.hostPort() + "/s3/app:v1";
        tools.run("skopeo", "--policy", tools.policy().toString(), "copy", "--dest-tls-verify=false",
                "oci:" + source + ":v1", ref);

        for (Blob blob : List.of(image.config(), image.layer())) {
            assertThat(bucket.stat(Digest.parse(blob.digest()))).as("object of " + blob.digest())
                    .hasValueSatisfying(stat -> assertThat(stat.size()).isEqualTo(blob.bytes().length));
        }
        assertThat(tmp.resolve("data").resolve("blobs")).satisfiesAnyOf(
                dir -> assertThat(dir).doesNotExist(), dir -> assertThat(dir).isEmptyDirectory());

        Path back = tmp.resolve("back");
        tools.run("skopeo", "--policy", tools.policy().toString(), "copy", "--src-tls-verify=false", ref,
                "oci:" + back + ":v1");
        Map<String, byte[]> pulled = OciImages.readBlobs(back);
        for (Blob blob : image.blobs()) {
            assertThat(pulled.get(blob.digest())).as(blob.digest()).isEqualTo(blob.bytes());
        }
    }

    @Test
    void aChunkedPushOfSmallPatchesBecomesOneBlobAndTheDriverIsMeasured() throws Exception {
        byte[] content = random(12 * MIB + 777, 2);
        String digest = Digest.sha256(content).toString();
        HttpResponse<byte[]> started = send(HttpRequest.newBuilder(uri(registry, "/v2/s3/chunked/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.statusCode()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        int chunk = 1536 << 10; // 1.5 MiB: each PATCH leaves a tail the next one continues
        List<Integer> statuses = new ArrayList<>();
        for (int offset = 0; offset < content.length; offset += chunk) {
            int end = Math.min(content.length, offset + chunk);
            HttpResponse<byte[]> patched = send(HttpRequest.newBuilder(resolve(location))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + (end - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, offset, end))));
            statuses.add(patched.statusCode());
            assertThat(patched.headers().firstValue("Range")).as("after " + end).hasValue("0-" + (end - 1));
            location = patched.headers().firstValue("Location").orElseThrow();
        }
        assertThat(statuses).hasSize(9).containsOnly(202);
        HttpResponse<byte[]> put = send(HttpRequest.newBuilder(resolve(location + (location.contains("?") ? "&" : "?")
                + "digest=" + digest)).PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);

        HttpResponse<byte[]> pulled = send(HttpRequest.newBuilder(uri(registry, "/v2/s3/chunked/blobs/" + digest)));
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(content);
        HttpResponse<byte[]> range = send(HttpRequest.newBuilder(uri(registry, "/v2/s3/chunked/blobs/" + digest))
                .header("Range", "bytes=" + (5 * MIB - 3) + "-" + (5 * MIB + 2)));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 5 * MIB - 3, 5 * MIB + 3));
        assertThat(bucket.stat(Digest.parse(digest)).orElseThrow().size()).isEqualTo(content.length);
        assertThat(bucket.uploadFiles()).as("the upload's objects are gone").isEmpty();

        String metrics = new String(send(HttpRequest.newBuilder(uri(registry, "/metrics"))).body(),
                StandardCharsets.UTF_8);
        assertThat(metrics).containsPattern(
                "berth_storage_operation_seconds_count\\{driver=\"s3\",operation=\"commit\"} [1-9]")
                .containsPattern("berth_storage_operation_seconds_count\\{driver=\"s3\",operation=\"write\"} [1-9]")
                .contains("berth_storage_errors_total{driver=\"s3\",operation=\"commit\"} 0.0");
    }

    private static URI resolve(String location) {
        return location.startsWith("http") ? URI.create(location) : uri(registry, location);
    }

    @Test
    void withRedirectABlobGetAnswers307ToAPresignedUrlThatServesTheBytes() throws Exception {
        S3Config redirecting = s3.config().withPrefix("redirect/").withRedirect(true, Duration.ofMinutes(2));
        try (BerthFixture server = BerthFixture.start(tmp.resolve("redirect-data"),
                c -> c.withStorageDriver(redirecting))) {
            byte[] content = random(300_000, 3);
            String digest = Digest.sha256(content).toString();
            HttpResponse<byte[]> pushed = send(HttpRequest.newBuilder(uri(server,
                    "/v2/s3/redirect/blobs/uploads/?digest=" + digest)).header("Content-Type",
                    "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(content)));
            assertThat(pushed.statusCode()).isEqualTo(201);

            HttpResponse<byte[]> get = send(HttpRequest.newBuilder(uri(server, "/v2/s3/redirect/blobs/" + digest)));
            assertThat(get.statusCode()).isEqualTo(307);
            URI presigned = URI.create(get.headers().firstValue("Location").orElseThrow());
            assertThat(presigned.getAuthority()).isEqualTo(s3.endpoint().getAuthority());
            assertThat(presigned.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=120");
            HttpResponse<byte[]> fromStore = send(HttpRequest.newBuilder(presigned));
            assertThat(fromStore.statusCode()).isEqualTo(200);
            assertThat(fromStore.body()).isEqualTo(content);
            assertThat(send(HttpRequest.newBuilder(uri(server, "/v2/s3/redirect/blobs/" + digest))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode())
                    .as("HEAD answers itself").isEqualTo(200);
        }
    }

    @Test
    void garbageCollectionDeletesAnUnreferencedBlobsObject() throws Exception {
        byte[] content = random(2000, 4);
        Digest digest = Digest.sha256(content);
        HttpResponse<byte[]> pushed = send(HttpRequest.newBuilder(uri(registry,
                "/v2/s3/loose/blobs/uploads/?digest=" + digest)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertThat(pushed.statusCode()).isEqualTo(201);
        assertThat(bucket.stat(digest)).isPresent();

        HttpResponse<byte[]> gc = send(HttpRequest.newBuilder(uri(registry, "/api/v1/admin/gc"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(gc.statusCode()).as(new String(gc.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(bucket.stat(digest)).as("the collector deleted the object").isEmpty();
        assertThat(bucket.files()).extracting(BlobStore.StoredFile::digest).doesNotContain(digest);
        assertThat(send(HttpRequest.newBuilder(uri(registry, "/v2/s3/loose/blobs/" + digest))).statusCode())
                .isEqualTo(404);
    }
}
