package io.berth.cli;

import io.berth.oci.Digest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code berth serve} in a child JVM, so that tests can SIGTERM or SIGKILL it like an operator or a crash would. */
final class ServerProcess {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** bin/berth's JVM settings, the heap above all ({@link BerthImage#ENTRYPOINT} without {@code -jar}). */
    static final List<String> BIN_BERTH_JVM = BerthImage.ENTRYPOINT.subList(1, BerthImage.ENTRYPOINT.indexOf("-jar"));

    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server on {@code port} with {@code data} (and {@code moreArgs}) and waits until {@code /v2/} answers 200. */
    static ServerProcess start(int port, Path data, String... moreArgs) throws IOException, InterruptedException {
        return start(List.of(), port, data, moreArgs);
    }

    /** As {@link #start(int, Path, String...)}, the child JVM run with {@code jvmOptions} ({@link #BIN_BERTH_JVM}). */
    static ServerProcess start(List<String> jvmOptions, int port, Path data, String... moreArgs)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--listen", "127.0.0.1:" + port, "--data", data.toString()));
        command.addAll(List.of(moreArgs));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()))
                .start();
        ServerProcess server = new ServerProcess(process, port);
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("berth serve exited with " + process.exitValue());
            }
            try {
                if (server.get("/v2/").statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("berth serve did not answer within 30 s");
    }

    Process process() {
        return process;
    }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String sha256(byte[] content) {
        return Digest.sha256(content).toString();
    }
}
