package io.berth.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a cluster: {@code berth serve --config FILE} in a child JVM with {@code bin/berth}'s JVM settings, so
 * that a test can kill it with SIGKILL as a crash would. Its output goes to {@code NAME.log} beside its config.
 */
final class ClusterNode {
    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ClusterNode(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts it with {@code config} (YAML, which must listen on {@code port}); {@link #awaitReady} waits for it. */
    static ClusterNode start(Path dir, String name, int port, String config) throws IOException {
        Path file = Files.writeString(dir.resolve(name + ".yaml"), config);
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ServerProcess.BIN_BERTH_JVM);
        // C1 only: three JVMs start at once on a small machine, and start-up is what costs in a test.
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--config", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Each node's own id (node.id), which the leases and claims of background work name.
        builder.environment().put("BERTH_NODE_ID", name);
        Process process = builder.start();
        return new ClusterNode(name, port, process, log);
    }

    /** Returns once {@code /readyz} answers 200 (the database and the storage take writes). */
    ClusterNode awaitReady() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                var answer = ServerProcess.HTTP.send(HttpRequest.newBuilder(uri("/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError(name + " was not ready within 60 s:\n" + Files.readString(log));
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no drain, no shutdown hook; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM (a graceful stop), then SIGKILL after 30 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
