package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.server.config.TlsConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.RawH2;
import io.berth.server.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 over TLS (ALPN) and its limits against hostile clients, frame by frame ({@link RawH2}): the advertised
 * SETTINGS, streams beyond the limit refused, a rapid-reset flood and a CONTINUATION flood ending the connection, an
 * oversized header list answered 431, an idle connection closed; and real clients ({@code java.net.http}) served over
 * h2 or HTTP/1.1 as they ask. After every attack the server serves a new connection.
 */
class Http2EdgeTest {
    @TempDir
    static Path dir;
    static BerthFixture registry;
    static SSLContext tls;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "h2");
        tls = TestCertificates.trusting(pem.x509());
        registry = BerthFixture.start(dir.resolve("data"), c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key()).withHttp2(true))
                .withLimits(c.limits().withClients(c.limits().clients().withIdleTimeout(Duration.ofSeconds(2)))));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + registry.port() + path);
    }

    private static void stillServes() throws Exception {
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            h2.request(1, true, "GET", "/v2/");
            assertThat(h2.response(1).status()).as("a new connection's GET /v2/").isEqualTo(200);
        }
    }

    @Test
    void aClientOfferingH2IsServedOverH2AndOneOfferingHttp11OverHttp11() throws Exception {
        byte[] blob = "served over h2".getBytes(StandardCharsets.UTF_8);
        String digest = Digest.sha256(blob).toString();
        HttpClient h2 = client(HttpClient.Version.HTTP_2);
        HttpResponse<Void> pushed = h2.send(HttpRequest.newBuilder(uri("/v2/h2/app/blobs/uploads/?digest=" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(pushed.statusCode()).isEqualTo(201);
        assertThat(pushed.version()).isEqualTo(HttpClient.Version.HTTP_2);

        for (HttpClient.Version version : HttpClient.Version.values()) {
            HttpResponse<byte[]> pulled = client(version).send(HttpRequest.newBuilder(uri("/v2/h2/app/blobs/" + digest))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat(pulled.version()).isEqualTo(version);
            assertThat(pulled.body()).isEqualTo(blob);
        }
        HttpResponse<String> metrics = h2.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("berth_connections_opened_total\\{protocol=\"h2\"[^}]*} [1-9]")
                .containsPattern("berth_connections_opened_total\\{protocol=\"http/1.1\"[^}]*} [1-9]");
    }

    /**
     * Regression: some of these answers got their HEADERS and never their DATA, when Vert.x's streams lost track of
     * the connection's writability (see {@link HttpEdge}).
     */
    @Test
    void blobsAnsweredOnManyStreamsAtOnceAllArriveWhole() throws Exception {
        HttpClient h2 = client(HttpClient.Version.HTTP_2);
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] blob = new byte[64 << 10];
            new java.util.Random(i).nextBytes(blob);
            String digest = Digest.sha256(blob).toString();
            assertThat(h2.send(HttpRequest.newBuilder(uri("/v2/h2/many/blobs/uploads/?digest=" + digest))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).header("Content-Type", "application/octet-stream")
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(201);
            digests.add(digest);
        }
        ExecutorService clients = Executors.newFixedThreadPool(5);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<Integer>> pulled = new ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    List<String> mine = digests.subList(c * 4, c * 4 + 4);
                    pulled.add(clients.submit(() -> {
                        int bytes = 0;
                        for (String digest : mine) {
                            HttpResponse<byte[]> blob = h2.send(HttpRequest.newBuilder(uri("/v2/h2/many/blobs/" + digest))
                                    .build(), HttpResponse.BodyHandlers.ofByteArray());
                            assertThat(Digest.sha256(blob.body()).toString()).isEqualTo(digest);
                            bytes += blob.body().length;
                        }
                        return bytes;
                    }));
                }
                for (Future<Integer> bytes : pulled) {
                    assertThat(bytes.get(20, TimeUnit.SECONDS)).isEqualTo(4 * (64 << 10));
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void byDefaultAClientOfferingH2GetsHttp11() throws Exception {
        TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "h1");
        try (BerthFixture h1 = BerthFixture.start(dir.resolve("h1"),
                c -> c.withTls(TlsConfig.of(pem.certificate(), pem.key())))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(TestCertificates.trusting(pem.x509())).build();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + h1.port() + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void theServerAdvertisesItsStreamHeaderAndWindowLimits() throws Exception {
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            assertThat(h2.serverSettings())
                    .containsEntry(RawH2.SETTINGS_MAX_CONCURRENT_STREAMS, (long) HttpEdge.MAX_CONCURRENT_STREAMS)
                    .containsEntry(RawH2.SETTINGS_MAX_HEADER_LIST_SIZE, (long) HttpEdge.MAX_HEADER_LIST_BYTES)
                    .containsEntry(RawH2.SETTINGS_INITIAL_WINDOW_SIZE, (long) HttpEdge.RECEIVE_WINDOW_BYTES);
            RawH2.Frame connectionWindow = h2.next();
            assertThat(connectionWindow.type()).isEqualTo(RawH2.WINDOW_UPDATE);
            assertThat(connectionWindow.stream()).isZero();
            assertThat(java.nio.ByteBuffer.wrap(connectionWindow.payload()).getInt())
                    .as("the connection's window grown from HTTP/2's 65,535 bytes")
                    .isEqualTo(HttpEdge.RECEIVE_WINDOW_BYTES - 65_535);
        }
    }

    @Test
    void aStreamBeyondTheLimitIsRefusedAndTheOthersAreServed() throws Exception {
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            h2.serverSettings(); // acknowledged: the limit holds from here on
            int stream = 1;
            for (int i = 0; i < HttpEdge.MAX_CONCURRENT_STREAMS; i++, stream += 2) {
                // manifest PUTs whose bodies never come: each stream stays open
                h2.request(stream, false, "PUT", "/v2/h2/held/manifests/t" + i,
                        "content-type", "application/vnd.oci.image.manifest.v1+json");
            }
            int beyond = stream;
            h2.request(beyond, true, "GET", "/v2/");
            RawH2.Response refused = h2.response(beyond);
            assertThat(refused.reset()).as("the stream beyond the limit").isNotNull();
            assertThat(refused.reset().errorCode()).isEqualTo(RawH2.REFUSED_STREAM);
            h2.reset(1, RawH2.CANCEL);
            h2.request(beyond + 2, true, "GET", "/v2/");
            assertThat(h2.response(beyond + 2).status()).as("once a stream ended, a new one is served").isEqualTo(200);
        }
        stillServes();
    }

    @Test
    void aRapidResetFloodEndsTheConnection() throws Exception {
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            int stream = 1;
            for (int i = 0; i < HttpEdge.MAX_RESETS_PER_WINDOW * 2; i++, stream += 2) {
                try {
                    h2.requestAndReset(stream, "GET", "/v2/h2/app/manifests/v" + i); // work for a read thread
                } catch (IOException closed) {
                    break;
                }
            }
            RawH2.Frame goAway = h2.untilClosed();
            assertThat(goAway).as("GOAWAY before the close").isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
        }
        stillServes();
    }

    @Test
    void aHeaderListOverTheLimitIsAnswered431AndTheConnectionGoesOn() throws Exception {
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            h2.serverSettings();
            String big = "x".repeat(HttpEdge.MAX_HEADER_LIST_BYTES);
            byte[] block = h2.requestHeaders("GET", "/v2/", "x-big", big);
            int half = block.length / 2; // across a HEADERS and a CONTINUATION frame
            h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, java.util.Arrays.copyOf(block, half));
            h2.frame(RawH2.CONTINUATION, RawH2.END_HEADERS, 1, java.util.Arrays.copyOfRange(block, half, block.length));
            RawH2.Response response = h2.response(1);
            assertThat(response.status()).as("reset %s, GOAWAY %s", response.reset(), response.goAway() == null ? null : response.goAway().errorCode() + " " + new String(response.goAway().payload(), StandardCharsets.ISO_8859_1)).isEqualTo(431);
            h2.request(3, true, "GET", "/v2/");
            assertThat(h2.response(3).status()).isEqualTo(200);
        }
    }

    @Test
    void endlessContinuationFramesEndTheConnection() throws Exception {
        AtomicLong sent = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean cutOff = new java.util.concurrent.atomic.AtomicBoolean();
        try (RawH2 h2 = RawH2.connect(registry.port(), tls)) {
            h2.serverSettings();
            h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, h2.requestHeaders("GET", "/v2/"));
            Thread flood = new Thread(() -> {
                byte[] fragment = new byte[16_000];
                java.util.Arrays.fill(fragment, (byte) 0x40); // literal header fields, never ending
                try {
                    while (sent.get() < 64L << 20) {
                        h2.frame(RawH2.CONTINUATION, 0, 1, fragment);
                        sent.addAndGet(fragment.length);
                    }
                } catch (IOException closed) {
                    cutOff.set(true); // what the server should do
                }
            });
            flood.start();
            h2.untilClosed();
            flood.join(10_000);
            assertThat(flood.isAlive()).isFalse();
        }
        // The server stops after 20 KiB of header block (Netty: the list limit and a quarter). What the flood got
        // written before that is socket buffers: 750 KB on a quiet machine, 4.2 MB once when the server read late,
        // at most 36 MiB here (tcp_rmem's 32 MiB and tcp_wmem's 4 MiB), short of the flood's 64 MiB.
        assertThat(cutOff).as("the flood cut off by the server closing, after %d bytes", sent.get()).isTrue();
        stillServes();
    }

    @Test
    void anIdleH2ConnectionIsClosedAndOneThatPingsIsNot() throws Exception {
        try (RawH2 idle = RawH2.connect(registry.port(), tls); RawH2 pinging = RawH2.connect(registry.port(), tls)) {
            idle.serverSettings();
            pinging.serverSettings();
            for (int i = 0; i < 10; i++) {
                Thread.sleep(300);
                pinging.ping();
            }
            pinging.request(1, true, "GET", "/v2/");
            assertThat(pinging.response(1).status()).as("after 3 s of pings").isEqualTo(200);
            idle.setReadTimeout(1_000); // closed by now (the idle timeout is 2 s), or the read times out and fails
            idle.untilClosed();
        }
    }
}
