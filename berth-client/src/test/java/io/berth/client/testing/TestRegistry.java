package io.berth.client.testing;

import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A registry on a free loopback port for the client's tests: Berth in-process, or CNCF Distribution 2.8.2 (Debian's
 * {@code /usr/bin/docker-registry}) as a child process, which has no referrers API.
 */
public interface TestRegistry extends AutoCloseable {
    Path DISTRIBUTION = Path.of("/usr/bin/docker-registry");

    /** {@code 127.0.0.1:port}. */
    String host();

    boolean isBerth();

    @Override
    void close();

    static TestRegistry berth(Path dataDir) {
        BerthServer server = BerthServer.start(BerthConfig.defaults(dataDir).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)));
        return new TestRegistry() {
            @Override
            public String host() {
                return "127.0.0.1:" + server.port();
            }

            @Override
            public boolean isBerth() {
                return true;
            }

            @Override
            public void close() {
                server.close();
            }

            @Override
            public String toString() {
                return "Berth";
            }
        };
    }

    static TestRegistry distribution(Path dataDir) {
        if (!Files.isExecutable(DISTRIBUTION)) {
            throw new IllegalStateException(DISTRIBUTION + " is missing: apt-get install docker-registry (.ci/run does)");
        }
        try {
            int port = freePort();
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(dataDir.resolve("storage"), port));
            Process process = new ProcessBuilder(DISTRIBUTION.toString(), "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dataDir.resolve("registry.log").toFile()).start();
            awaitListening(process, port);
            return new TestRegistry() {
                @Override
                public String host() {
                    return "127.0.0.1:" + port;
                }

                @Override
                public boolean isBerth() {
                    return false;
                }

                @Override
                public void close() {
                    process.destroy();
                    try {
                        process.waitFor();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public String toString() {
                    return "Distribution";
                }
            };
        } catch (IOException e) {
            throw new IllegalStateException("cannot start docker-registry", e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitListening(Process process, int port) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("registry exited with " + process.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("registry did not listen on " + port + " within 30 s");
    }
}
