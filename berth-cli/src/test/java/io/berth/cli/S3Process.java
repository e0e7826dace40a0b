package io.berth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * s3proxy as a separate process over a folder of the test, started with {@code bin/s3proxy-start} and stopped with
 * {@code bin/s3proxy-stop}, as {@code bin/berth-cluster} runs it: the bucket that several nodes share.
 */
final class S3Process implements AutoCloseable {
    static final String BUCKET = "berth";
    static final String IDENTITY = "berth-test";
    static final String CREDENTIAL = "berth-test-secret";
    private static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();
    /** The jar berth-server's build copies for its own process tests; bin/s3proxy-start fetches it when absent. */
    private static final Path JAR = Path.of("..", "berth-server", "target", "s3proxy",
            "s3proxy-jar-with-dependencies.jar").toAbsolutePath().normalize();

    private final Path dir;
    private final String endpoint;

    private S3Process(Path dir, String endpoint) {
        this.dir = dir;
        this.endpoint = endpoint;
    }

    static S3Process start(Path dir) throws IOException, InterruptedException {
        Map<String, String> started = run("s3proxy-start", dir.toString(), "--bucket", BUCKET,
                "--identity", IDENTITY, "--credential", CREDENTIAL);
        return new S3Process(dir, started.get("endpoint"));
    }

    String endpoint() {
        return endpoint;
    }

    /** Runs a script of bin/ and reads the {@code key=value} lines it prints. */
    private static Map<String, String> run(String script, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BIN.resolve(script).toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (Files.exists(JAR)) {
            builder.environment().put("S3PROXY_JAR", JAR.toString());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(script + " failed: " + output);
        }
        return output.lines().filter(line -> line.contains("="))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                        line -> line.substring(line.indexOf('=') + 1), (a, b) -> b));
    }

    @Override
    public void close() throws Exception {
        run("s3proxy-stop", dir.toString());
    }
}
