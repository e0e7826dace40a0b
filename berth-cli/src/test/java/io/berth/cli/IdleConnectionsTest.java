package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21, "idle connections kill it": 20,000 connections that never send a byte — or as many as this machine's
 * file-descriptor limit lets the test hold — against {@code berth serve} in a child JVM with bin/berth's 64 MiB heap,
 * from 40 loopback addresses so that the total limit, not the per-address one, is what they meet. The server stays
 * alive, refuses what is beyond {@code limits.maxConnections} at once (a new connection is closed, not left hanging),
 * counts the refusals in {@code /metrics}, logs them at most once per 10 s, and answers a manifest GET on a client's
 * connection while they are all open; once they go, new clients are served again. How much they slow that client is a
 * benchmark's question ({@code bench/run --only idle-connections}), not this test's.
 */
class IdleConnectionsTest {
    private static final int WANTED = 20_000;
    /** Descriptors the test JVM keeps for itself: jars, the HTTP client, the child's pipes. */
    private static final int RESERVE = 500;
    private static final int ADDRESSES = 40;
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(berth_connections_(?:open|refused_total))(\\{[^}]*})? (\\S+)$");

    @TempDir
    Path data;

    @Test
    void idleConnectionsNeitherCrashTheServerNorKeepItFromAnsweringAClient() throws Exception {
        int count = idleConnectionsThisMachineAllows();
        // Idle connections stay for the whole test: the header timeout would close them after 10 s.
        Path config = Files.writeString(data.resolve("berth.yaml"), "limits:\n  headerTimeout: 120s\n");
        int port = ServerProcess.freePort();
        ServerProcess server = ServerProcess.start(ServerProcess.BIN_BERTH_JVM, port, data, "--config", config.toString());
        List<Socket> idle = new ArrayList<>(count);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            String manifest = pushManifest(server);
            assertThat(exchange(client, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");

            long openedAt = System.nanoTime();
            open(idle, count, port);
            long openingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt);
            Thread.sleep(500); // the server's event loop has dealt with the last of them

            assertThat(server.process().isAlive()).as("the server is alive with %d idle connections", count).isTrue();
            long started = System.nanoTime();
            String got = exchange(client, "GET /v2/idle/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n"
                    + "Accept: application/vnd.oci.image.manifest.v1+json\r\n\r\n");
            long manifestMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(got).startsWith("HTTP/1.1 200").endsWith(manifest);
            assertThat(manifestMillis).as("a liveness bound, not a performance figure").isLessThan(2000);

            String metrics = exchange(client, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            double open = sum(metrics, "berth_connections_open");
            double refused = sum(metrics, "berth_connections_refused_total");
            String heap = heapUsed(metrics);
            assertThat(open + refused).as("every connection was admitted or refused").isGreaterThanOrEqualTo(count);
            assertThat(open).as("no more than bin/berth's heap affords: limits.maxConnections, one per 32 KiB")
                    .isLessThanOrEqualTo(64 * 1024 / 32);
            if (refused > 0) {
                try (Socket late = new Socket("127.0.0.1", port)) {
                    late.setSoTimeout(5_000);
                    long asked = System.nanoTime();
                    String answer = exchange(late, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(answer).as("a connection beyond the limit is closed, not served").isEmpty();
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)).as("and at once").isLessThan(2000);
                }
            }
            System.out.printf("idle connections: %d opened in %d ms from %d addresses; the server holds %.0f, refused"
                            + " %.0f; manifest GET on a kept-alive connection in %d ms; heap used %s%n", count,
                    openingMillis, ADDRESSES, open, refused, manifestMillis, heap);

            for (Socket socket : idle) {
                socket.close();
            }
            idle.clear();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sum(exchange(client, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), "berth_connections_open") > 5) {
                assertThat(System.nanoTime()).as("the server saw the idle connections close").isLessThan(deadline);
                Thread.sleep(100);
            }
            try (Socket again = new Socket("127.0.0.1", port)) {
                again.setSoTimeout(5_000);
                assertThat(exchange(again, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")).as("served again").startsWith("HTTP/1.1 200");
            }
            assertThat(server.process().isAlive()).isTrue();
            String log = Files.readString(data.resolve("server.log"));
            long refusalLines = log.lines().filter(line -> line.contains("refused connection from")).count();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - openedAt);
            assertThat(log).doesNotContain("OutOfMemoryError");
            if (refused > 0) {
                assertThat(refusalLines).as("refusals are logged, at most once per 10 s").isBetween(1L, seconds / 10 + 2);
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
            server.process().destroy();
            server.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Opens {@code count} connections that send nothing, from {@link #ADDRESSES} loopback addresses, on 8 threads. */
    private static void open(List<Socket> idle, int count, int port) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService openers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(openers.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < count; ) {
                        Socket socket = new Socket();
                        synchronized (idle) {
                            idle.add(socket);
                        }
                        socket.bind(new InetSocketAddress("127.0.0." + (2 + i % ADDRESSES), 0));
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    }
                    return null;
                }));
            }
            for (Future<?> opener : done) {
                opener.get(120, TimeUnit.SECONDS);
            }
        } finally {
            openers.shutdownNow();
        }
    }

    /**
     * {@link #WANTED}, or what the file-descriptor limit leaves (a test cannot raise its own JVM's limit, and CI's
     * is what it is); says so when it is fewer.
     */
    private static int idleConnectionsThisMachineAllows() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            System.out.println("idle connections: no file-descriptor count on this system; trying " + WANTED);
            return WANTED;
        }
        long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - RESERVE;
        if (free < WANTED) {
            System.out.printf("idle connections: %d instead of %d, as the file-descriptor limit is %d (%d open)%n",
                    Math.max(free, 0), WANTED, unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        assertThat(free).as("file descriptors for a meaningful number of idle connections").isGreaterThan(3000);
        return (int) Math.min(WANTED, free);
    }

    /** One request on a kept-alive connection; the answer's head and body, or "" when the server closed it. */
    private static String exchange(Socket socket, String request) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        int length = -1;
        try {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                answer.write(b);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                int headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0 && length < 0) {
                    Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, headEnd));
                    length = m.find() ? Integer.parseInt(m.group(1)) : 0;
                }
                if (length >= 0 && answer.size() >= headEnd + 4 + length) {
                    break;
                }
            }
        } catch (SocketException reset) {
            // refused: closed at once, perhaps with a reset
        } catch (SocketTimeoutException silent) {
            throw new AssertionError("no answer to " + request.lines().findFirst().orElse("") + " within "
                    + socket.getSoTimeout() + " ms; so far: " + answer.toString(StandardCharsets.ISO_8859_1));
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    private static double sum(String metrics, String name) {
        double sum = 0;
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals(name)) { // not berth_connections_opened_total
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    private static String heapUsed(String metrics) {
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"([^\"]+)\"} (\\S+)$").matcher(metrics);
        double bytes = 0;
        while (m.find()) {
            bytes += Double.parseDouble(m.group(2));
        }
        return String.format("%.1f MiB", bytes / (1 << 20));
    }

    /** A config blob and an image manifest with no layers at {@code idle/app:v1}; returns the manifest. */
    private static String pushManifest(ServerProcess server) throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String digest = ServerProcess.sha256(config);
        HttpResponse<String> blob = ServerProcess.HTTP.send(HttpRequest.newBuilder(server.uri(
                        "/v2/idle/app/blobs/uploads/?digest=" + digest)).POST(HttpRequest.BodyPublishers.ofByteArray(config))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(blob.statusCode()).as(blob.body()).isEqualTo(201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest + "\",\"size\":"
                + config.length + "},\"layers\":[]}";
        HttpResponse<String> put = ServerProcess.HTTP.send(HttpRequest.newBuilder(server.uri("/v2/idle/app/manifests/v1"))
                .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return manifest;
    }
}
