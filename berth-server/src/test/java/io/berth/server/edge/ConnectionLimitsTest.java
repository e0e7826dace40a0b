package io.berth.server.edge;

import static io.berth.server.edge.RawHttp.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.http.ClientLimits;
import io.berth.server.edge.RawHttp.Reply;
import io.berth.server.testing.BerthFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection counts and the idle and header time limits (issue #16, item 4), on raw sockets against servers with
 * small limits: a connection beyond the limit is closed at once while the earlier ones keep working.
 */
class ConnectionLimitsTest {
    private static final String GET = "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @TempDir
    Path dataDir;

    private BerthFixture start(UnaryOperator<ClientLimits> limits) {
        return BerthFixture.start(dataDir, config -> config.withLimits(
                config.limits().withClients(limits.apply(ClientLimits.DEFAULT))));
    }

    private static int port(BerthFixture registry) {
        return Integer.parseInt(registry.hostPort().substring(registry.hostPort().lastIndexOf(':') + 1));
    }

    @Test
    void aConnectionBeyondMaxConnectionsIsRefusedWhileTheEarlierOnesKeepWorking() throws Exception {
        try (BerthFixture registry = start(limits -> limits.withMaxConnections(4, 100))) {
            assertRefusedBeyond(4, port(registry));
        }
    }

    @Test
    void aConnectionBeyondMaxConnectionsPerAddressIsRefused() throws Exception {
        try (BerthFixture registry = start(limits -> limits.withMaxConnections(100, 3))) {
            assertRefusedBeyond(3, port(registry));
        }
    }

    private static void assertRefusedBeyond(int limit, int port) throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(5000);
                open.add(socket);
                assertThat(exchangeKeepingAlive(socket)).startsWith("HTTP/1.1 200");
            }
            Reply refused = RawHttp.exchange(port, bytes(GET), 5000);
            assertThat(refused.closed()).isTrue();
            assertThat(refused.text()).isEmpty();
            for (Socket socket : open) {
                assertThat(exchangeKeepingAlive(socket)).startsWith("HTTP/1.1 200");
            }
            open.remove(0).close();
            Thread.sleep(200); // the server sees the close
            Socket again = new Socket("127.0.0.1", port);
            again.setSoTimeout(5000);
            open.add(again);
            assertThat(exchangeKeepingAlive(again)).startsWith("HTTP/1.1 200");
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /** One GET on a kept-alive connection; the reply's head and its two-byte body. */
    private static String exchangeKeepingAlive(Socket socket) throws IOException {
        socket.getOutputStream().write(bytes(GET));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (!reply.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n{}")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            reply.write(b);
        }
        return reply.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
        try (BerthFixture registry = start(limits -> limits.withHeaderTimeout(Duration.ofMillis(500)));
             Socket socket = new Socket("127.0.0.1", port(registry))) {
            socket.setSoTimeout(5000);
            Reply reply = RawHttp.read(socket.getInputStream(), System.nanoTime());
            assertThat(reply.closed()).isTrue();
            assertThat(reply.millis()).isBetween(400L, 2000L);
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeoutButNotBefore() throws Exception {
        try (BerthFixture registry = start(limits -> limits.withIdleTimeout(Duration.ofMillis(1500))
                .withHeaderTimeout(Duration.ofMillis(500)));
             Socket socket = new Socket("127.0.0.1", port(registry))) {
            socket.setSoTimeout(5000);
            assertThat(exchangeKeepingAlive(socket)).startsWith("HTTP/1.1 200");
            Thread.sleep(1000); // longer than the header timeout: between requests only the idle timeout counts
            assertThat(exchangeKeepingAlive(socket)).startsWith("HTTP/1.1 200");
            Reply reply = RawHttp.read(socket.getInputStream(), System.nanoTime());
            assertThat(reply.closed()).isTrue();
            assertThat(reply.millis()).isBetween(1000L, 3500L);
        }
    }

    /** Idle means nothing in and nothing out: a download the client reads slowly is activity, a stalled one is not. */
    @Test
    void aDownloadReadSlowlyOutlastsTheIdleTimeoutAndAStalledOneDoesNot() throws Exception {
        try (BerthFixture registry = start(limits -> limits.withIdleTimeout(Duration.ofMillis(2000)))) {
            byte[] blob = new byte[8 << 20];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(blob);
            String digest = new Registry(registry.hostPort()).push("idle/app", blob);
            byte[] get = bytes("GET /v2/idle/app/blobs/" + digest + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

            long slowBytes = 0;
            long started = System.nanoTime();
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(16 * 1024);
                slow.connect(new java.net.InetSocketAddress("127.0.0.1", port(registry)));
                slow.setSoTimeout(5000);
                slow.getOutputStream().write(get);
                InputStream in = slow.getInputStream();
                byte[] chunk = new byte[32 * 1024];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    slowBytes += n;
                    Thread.sleep(15); // 8 MiB at about 2 MiB/s: 4 s, twice the idle timeout, never 2 s without a read
                }
            }
            assertThat(System.nanoTime() - started).isGreaterThan(Duration.ofMillis(2500).toNanos());
            assertThat(slowBytes).as("all of it arrived").isGreaterThan(blob.length);

            try (Socket stalled = new Socket()) {
                stalled.setReceiveBufferSize(16 * 1024);
                stalled.connect(new java.net.InetSocketAddress("127.0.0.1", port(registry)));
                stalled.setSoTimeout(15_000);
                stalled.getOutputStream().write(get);
                Thread.sleep(6000); // reads nothing for three idle timeouts: the server gives up on it
                InputStream in = stalled.getInputStream();
                long received = 0;
                try {
                    for (int n = in.read(new byte[65536]); n >= 0; n = in.read(new byte[65536])) {
                        received += n;
                    }
                } catch (java.net.SocketException reset) {
                    // closed by the server while data was still on its way: just as good
                }
                assertThat(received).as("the stalled download was cut").isLessThan(blob.length);
            }
        }
    }
}
