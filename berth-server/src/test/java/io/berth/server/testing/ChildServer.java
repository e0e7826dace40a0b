package io.berth.server.testing;

import io.berth.server.BerthServer;
import io.berth.server.blob.UploadsConfig;
import io.berth.server.config.BerthConfig;
import io.berth.server.gc.GcConfig;
import io.berth.server.log.LogConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Berth in a child JVM (this test class path) on a fixed loopback port, so that a test can kill it with SIGKILL in
 * the middle of something and start it again on the same data, as a crash and a restart would.
 */
public final class ChildServer {
    /**
     * Short: a kill between an upload's reservation of its blob and the end of its session leaves a reserved row
     * without a file, which the collector leaves alone until the session expires.
     */
    public static final Duration UPLOADS_EXPIRE_AFTER = Duration.ofSeconds(2);
    private final Process process;
    private final int port;

    private ChildServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** {@code ChildServer DATA_DIR PORT GRACE_MILLIS}: the server with no scheduled collection, until killed. */
    public static void main(String[] args) throws InterruptedException {
        BerthServer.start(BerthConfig.defaults(Path.of(args[0])).withListen("127.0.0.1", Integer.parseInt(args[1]))
                .withLog(LogConfig.DEFAULT.withAccess(false))
                .withGc(new GcConfig(Duration.ZERO, Duration.ofMillis(Long.parseLong(args[2]))))
                .withUploads(new UploadsConfig(UPLOADS_EXPIRE_AFTER)));
        new java.util.concurrent.CountDownLatch(1).await();
    }

    /** Starts it on {@code dataDir} and {@code port}, and returns once {@code /v2/} accepts connections. */
    public static ChildServer start(Path dataDir, int port, Duration gracePeriod) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial collector: a test restarts it several times, and start-up is what costs.
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ChildServer.class.getName(), dataDir.toString(), String.valueOf(port),
                String.valueOf(gracePeriod.toMillis())))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling(dataDir.getFileName() + ".log")
                        .toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the child server exited with " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return new ChildServer(process, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the child server did not listen within 60 s");
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the child server survived SIGKILL for 30 s");
        }
    }
}
