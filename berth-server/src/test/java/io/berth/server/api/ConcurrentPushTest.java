package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent pushes of the same content and the same tag are safe: every push succeeds and the result is whole. */
class ConcurrentPushTest {
    private static final int CLIENTS = 8;

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
    void eightClientsPushingTheSameBlobAllSucceedAndTheBlobVerifies() throws Exception {
        byte[] content = RegistryHttp.randomBytes(2 * 1024 * 1024);
        String digest = RegistryHttp.sha256(content);

        List<HttpResponse<byte[]>> responses = concurrently(() -> {
            var upload = http.startUpload("concurrent/blob");
            return http.send("PUT", RegistryHttp.withQuery(upload, "digest", digest), content,
                    "Content-Type", RegistryHttp.OCTET_STREAM);
        });

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(RegistryHttp.body(r)).isEqualTo(201));
        HttpResponse<byte[]> blob = http.get("/v2/concurrent/blob/blobs/" + digest);
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(RegistryHttp.sha256(blob.body())).isEqualTo(digest);
    }

    @Test
    void eightClientsMovingTheSameTagAllSucceedAndTheTagNamesOneOfTheirManifests() throws Exception {
        List<RegistryHttp.ImageManifest> images = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            images.add(http.imageWithBlobs("concurrent/tag"));
        }
        var next = new java.util.concurrent.atomic.AtomicInteger();

        List<HttpResponse<byte[]>> responses = concurrently(() -> http.putManifest("concurrent/tag", "latest",
                RegistryHttp.OCI_MANIFEST, images.get(next.getAndIncrement()).json()));

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(RegistryHttp.body(r)).isEqualTo(201));
        HttpResponse<byte[]> tagged = http.getManifest("concurrent/tag", "latest");
        assertThat(tagged.statusCode()).isEqualTo(200);
        assertThat(images).anySatisfy(image -> assertThat(tagged.body()).isEqualTo(image.json()));
    }

    private static List<HttpResponse<byte[]>> concurrently(Callable<HttpResponse<byte[]>> push) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                futures.add(pool.submit(push));
            }
            List<HttpResponse<byte[]>> responses = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
