package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.RawH2;
import io.berth.server.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link StreamSender} holds for a client that reads nothing over HTTP/2, on a connection set up as Berth's
 * ({@link HttpEdge}): the client opens every flow-control window as wide as the protocol allows, asks for 8 bodies of
 * 16 MiB on one connection and stops reading, so only the server's own bounds keep it from reading everything into
 * memory. Measured as what the server read from its bodies:
 * 4.75 MiB, most of it in socket buffers; 36 MiB when the sender trusted Vert.x's write queue, which held 16 chunks
 * of 256 KiB per stream before it called itself full. Then the client reads, and every body must arrive whole: before
 * {@link HttpEdge} kept HTTP/2 connections writable, 7 of the 8 stopped half-way.
 */
class StreamSenderHttp2Test {
    private static final int STREAMS = 8;
    private static final int BODY = 16 << 20;

    @TempDir
    Path dir;
    private Vertx vertx;

    @AfterEach
    void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void aClientThatStopsReadingMakesTheServerStopReadingItsBodies() throws Exception {
        TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "sender");
        SSLContext tls = TestCertificates.trusting(pem.x509());
        AtomicLong served = new AtomicLong();
        vertx = Vertx.vertx();
        HttpEdge edge = new HttpEdge(ClientLimits.DEFAULT);
        HttpServer server = vertx.createHttpServer(edge.configure(new HttpServerOptions().setHost("127.0.0.1")
                        .setPort(0).setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(pem.certificate().toString()).setKeyPath(pem.key().toString()))))
                .connectionHandler(edge)
                .requestHandler(request -> {
                    request.response().putHeader("content-length", Integer.toString(BODY));
                    new StreamSender(vertx.getOrCreateContext(), new Pattern(BODY, served), request).start();
                });
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        try (RawH2 h2 = RawH2.connect(server.actualPort(), tls)) {
            h2.openWindows();
            for (int i = 0; i < STREAMS; i++) {
                h2.request(1 + 2 * i, true, "GET", "/body");
            }
            long readAhead = settled(served);
            assertThat(readAhead).as("bytes the server read for a client that read none of them")
                    .isLessThan(16L << 20);

            Map<Integer, Long> received = new HashMap<>();
            int ended = 0;
            for (RawH2.Frame frame; ended < STREAMS && (frame = h2.next()) != null; ) {
                if (frame.type() == RawH2.DATA) {
                    long at = received.getOrDefault(frame.stream(), 0L);
                    for (byte b : frame.payload()) {
                        if (b != Pattern.at(at++)) {
                            throw new AssertionError("stream " + frame.stream() + ": wrong byte at " + (at - 1));
                        }
                    }
                    received.put(frame.stream(), at);
                }
                assertThat(frame.type()).isNotEqualTo(RawH2.RST_STREAM).isNotEqualTo(RawH2.GOAWAY);
                if ((frame.flags() & RawH2.END_STREAM) != 0) {
                    ended++;
                }
            }
            assertThat(received).hasSize(STREAMS).allSatisfy((stream, bytes) -> assertThat(bytes).isEqualTo(BODY));
        }
    }

    /** What {@code served} settles at: unchanged for a second. */
    private static long settled(AtomicLong served) throws InterruptedException {
        long last = -1;
        for (int stable = 0; stable < 5; ) {
            Thread.sleep(200);
            long now = served.get();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** {@code size} bytes of a pattern that shows where each byte belongs, counting what was read. */
    private static final class Pattern extends InputStream {
        private final long size;
        private final AtomicLong served;
        private long position;

        Pattern(long size, AtomicLong served) {
            this.size = size;
            this.served = served;
        }

        static byte at(long position) {
            return (byte) (position % 251);
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            served.incrementAndGet();
            return at(position++) & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - position);
            for (int i = 0; i < n; i++) {
                into[offset + i] = at(position++);
            }
            served.addAndGet(n);
            return n;
        }
    }
}
