package io.berth.server.edge;

import static io.berth.server.edge.RawHttp.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.server.http.ClientLimits;
import io.berth.server.edge.RawHttp.Reply;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time limits for slow clients (issue #16, item 4) with short limits: headers within 1 s, bodies at 1 KiB/s over
 * 2 s of waiting. Trickling connections are closed within the limits while ordinary pushes and pulls go on, and
 * neither a large upload under back-pressure nor a download the client reads slowly is cut.
 */
class SlowClientsTest {
    private static final int TRICKLERS = 100;
    private static final long HEADER_LIMIT_MILLIS = 1000;
    private static final long WINDOW_MILLIS = 2000;
    private static final long MARGIN_MILLIS = 1500;

    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static int port;
    static Registry client;

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dataDir, config -> config.withLimits(config.limits().withClients(ClientLimits.DEFAULT
                .withHeaderTimeout(Duration.ofMillis(HEADER_LIMIT_MILLIS))
                .withMinBodyRate(1024, Duration.ofMillis(WINDOW_MILLIS)))));
        port = Integer.parseInt(registry.hostPort().substring(registry.hostPort().lastIndexOf(':') + 1));
        client = new Registry(registry.hostPort());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** A connection that sends {@code head} and then one byte every 250 ms, and when the server closed it. */
    private static final class Trickler {
        final Socket socket;
        final long openedNanos = System.nanoTime();
        volatile long closedAfterMillis = -1;

        Trickler(String head) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.getOutputStream().write(bytes(head));
        }

        void awaitClose() {
            try (InputStream in = socket.getInputStream()) {
                while (in.read() >= 0) {
                    // a slow client gets no answer, only the close
                }
            } catch (IOException e) {
                // reset: closed as well
            }
            closedAfterMillis = (System.nanoTime() - openedNanos) / 1_000_000;
        }

        void trickle() {
            try {
                OutputStream out = socket.getOutputStream();
                out.write('a');
                out.flush();
            } catch (IOException e) {
                // closed by the server
            }
        }
    }

    @Test
    void tricklingConnectionsAreClosedWhileOrdinaryClientsAreServed() throws Exception {
        List<Trickler> headers = new ArrayList<>();
        List<Trickler> bodies = new ArrayList<>();
        List<URI> uploads = new ArrayList<>();
        for (int i = 0; i < TRICKLERS; i++) {
            uploads.add(client.startUpload("slow"));
        }
        for (int i = 0; i < TRICKLERS; i++) {
            headers.add(new Trickler("GET /v2/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
            bodies.add(new Trickler("PATCH " + uploads.get(i).getRawPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"));
        }
        List<Trickler> all = new ArrayList<>(headers);
        all.addAll(bodies);
        ExecutorService readers = Executors.newFixedThreadPool(all.size() + 1);
        try {
            List<Future<?>> closes = all.stream().map(t -> readers.submit(t::awaitClose)).<Future<?>>map(f -> f).toList();
            Future<?> trickling = readers.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    all.stream().filter(t -> t.closedAfterMillis < 0).forEach(Trickler::trickle);
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS + MARGIN_MILLIS);
            int rounds = 0;
            while (System.nanoTime() < until) {
                byte[] blob = new byte[64 * 1024 + rounds];
                ThreadLocalRandom.current().nextBytes(blob);
                String digest = client.push("fast", blob);
                assertThat(client.pull("fast", digest)).isEqualTo(blob);
                rounds++;
            }
            assertThat(rounds).as("pushes and pulls while %d connections trickle", all.size()).isGreaterThan(3);

            for (Future<?> close : closes) {
                close.get(10, TimeUnit.SECONDS);
            }
            trickling.cancel(true);
        } finally {
            readers.shutdownNow();
            all.forEach(t -> closeQuietly(t.socket));
        }
        assertThat(headers).allSatisfy(t -> assertThat(t.closedAfterMillis)
                .isBetween(HEADER_LIMIT_MILLIS - 100, HEADER_LIMIT_MILLIS + MARGIN_MILLIS));
        assertThat(bodies).allSatisfy(t -> assertThat(t.closedAfterMillis)
                .isBetween(WINDOW_MILLIS - 100, WINDOW_MILLIS + MARGIN_MILLIS));
    }

    @Test
    void aSlowButSteadyBodyIsNotCut() throws Exception {
        URI upload = client.startUpload("steady");
        int size = 12 * 1024;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes("PATCH " + upload.getRawPath() + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n"));
            for (int sent = 0; sent < size; sent += 1024) { // 4 KiB/s for 3 s, above the 1 KiB/s minimum
                out.write(new byte[1024]);
                out.flush();
                Thread.sleep(250);
            }
            Reply reply = RawHttp.read(socket.getInputStream(), System.nanoTime());
            assertThat(reply.status()).as(reply.text()).isEqualTo(202);
        }
    }

    @Test
    void aLargeUploadUnderBackPressureAndASlowlyReadDownloadAreNotCut() throws Exception {
        byte[] blob = new byte[48 << 20];
        ThreadLocalRandom.current().nextBytes(blob);
        String digest = client.push("large", blob);

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes("GET /v2/large/blobs/" + digest + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            byte[] first = in.readNBytes(64 * 1024);
            Thread.sleep(WINDOW_MILLIS + 1000); // the server waits on us, not we on it: no rule applies
            byte[] rest = in.readAllBytes();
            String head = new String(first, 0, 4096, java.nio.charset.StandardCharsets.ISO_8859_1);
            int bodyStart = head.indexOf("\r\n\r\n") + 4;
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(first.length - bodyStart + rest.length).isEqualTo(blob.length);
            byte[] body = new byte[blob.length];
            System.arraycopy(first, bodyStart, body, 0, first.length - bodyStart);
            System.arraycopy(rest, 0, body, first.length - bodyStart, rest.length);
            assertThat(Digest.sha256(body).toString()).isEqualTo(digest);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
