package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.auth.CredentialSource;
import io.berth.client.testing.TestFiles;
import io.berth.client.testing.TestProxy;
import io.berth.client.testing.TestRegistry;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked uploads through a proxy that breaks one PATCH: the client asks for the upload's status, continues from the
 * registry's {@code Range}, and the blob arrives whole. Also: a stream of unknown digest goes up in chunks, hashed on
 * the way, and the registry's {@code OCI-Chunk-Min-Length} raises the chunk size.
 */
class ChunkResumeTest {
    @TempDir
    static Path data;
    static TestRegistry berth;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        berth = TestRegistry.berth(data);
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    private static RegistryClient client(String host, int chunk) {
        return RegistryClient.create(host, ClientOptions.defaults().withPlainHttp(true)
                .withCredentials(CredentialSource.anonymous()).withChunking(chunk, chunk));
    }

    @Test
    void aChunkTheRegistryStoredButWhoseAnswerWasLostIsNotSentAgain() throws Exception {
        AtomicInteger patches = new AtomicInteger();
        try (TestProxy proxy = TestProxy.start(berth.host(), (request, forward) -> {
            TestProxy.Reply reply = forward.forward(request);
            if (request.method().equals("PATCH") && patches.incrementAndGet() == 2) {
                return TestProxy.Reply.of(502, "text/plain", "bad gateway"); // stored upstream, answer lost
            }
            return reply;
        })) {
            byte[] content = Files.readAllBytes(TestFiles.random(work.resolve("blob"), 1_000_000, 21));
            Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);
            Repository repository = Repository.of("resume/lost-answer");

            assertThat(client(proxy.host(), 200_000).pushBlob(repository, blob, BlobSource.of(content), n -> { })).isTrue();

            assertThat(proxy.requests()).anyMatch(r -> r.method().equals("GET") && r.path().contains("/blobs/uploads/"));
            assertThat(patches.get()).as("five chunks, none sent twice").isEqualTo(5);
            assertPulledBack(repository, blob, content);
        }
    }

    @Test
    void aChunkThatNeverArrivedIsSentAgainFromTheRegistrysRange() throws Exception {
        AtomicInteger patches = new AtomicInteger();
        try (TestProxy proxy = TestProxy.start(berth.host(), (request, forward) -> {
            if (request.method().equals("PATCH") && patches.incrementAndGet() == 3) {
                return TestProxy.Reply.of(503, "text/plain", "try again"); // never reached the registry
            }
            return forward.forward(request);
        })) {
            byte[] content = Files.readAllBytes(TestFiles.random(work.resolve("blob"), 1_000_000, 22));
            Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);
            Repository repository = Repository.of("resume/lost-chunk");

            client(proxy.host(), 200_000).pushBlob(repository, blob, BlobSource.of(content), n -> { });

            assertThat(patches.get()).as("five chunks, the third twice").isEqualTo(6);
            assertPulledBack(repository, blob, content);
        }
    }

    @Test
    void aStreamOfUnknownDigestIsHashedWhileItGoesUpInChunks() throws Exception {
        byte[] content = Files.readAllBytes(TestFiles.random(work.resolve("blob"), 700_000, 23));
        AtomicInteger patches = new AtomicInteger();
        try (TestProxy proxy = TestProxy.start(berth.host(), (request, forward) -> {
            if (request.method().equals("PATCH")) {
                patches.incrementAndGet();
            }
            TestProxy.Reply reply = forward.forward(request);
            return request.method().equals("POST") ? reply.with("OCI-Chunk-Min-Length", "300000") : reply;
        })) {
            Repository repository = Repository.of("resume/stream");
            InputStream stream = new ByteArrayInputStream(content);
            Descriptor pushed = client(proxy.host(), 100_000).pushBlob(repository, "application/octet-stream", stream, n -> { });

            assertThat(pushed.digest()).isEqualTo(Digest.sha256(content));
            assertThat(pushed.size()).isEqualTo(content.length);
            assertThat(patches.get()).as("chunks of the registry's minimum, 300000 bytes").isEqualTo(3);
            assertPulledBack(repository, pushed, content);
        }
    }

    private static void assertPulledBack(Repository repository, Descriptor blob, byte[] content) throws Exception {
        try (InputStream in = client(berth.host(), 1 << 20).openBlob(repository, blob).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }
}
