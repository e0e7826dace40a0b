package io.berth.server.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 server for tests: s3proxy over jclouds' filesystem provider in a test's temporary folder, with V4
 * signatures checked. {@link #inProcess} runs it in the test's JVM; {@link #asProcess} starts it as a separate Java
 * process with {@code bin/s3proxy-start}, as {@code bin/berth-cluster} does, and stops it with
 * {@code bin/s3proxy-stop}.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String BUCKET = "berth";
    public static final String IDENTITY = "berth-test";
    public static final String CREDENTIAL = "berth-test-secret";

    private final URI endpoint;
    private final AutoCloseable stop;

    private S3ProxyServer(URI endpoint, AutoCloseable stop) {
        this.endpoint = endpoint;
        this.stop = stop;
    }

    /** s3proxy in this JVM on a free port, its bucket {@value #BUCKET} created under {@code directory}. */
    public static S3ProxyServer inProcess(Path directory) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").credentials(IDENTITY, CREDENTIAL)
                .overrides(properties).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start", e);
        }
        return new S3ProxyServer(URI.create("http://127.0.0.1:" + proxy.getPort()), () -> {
            proxy.stop();
            context.close();
        });
    }

    /**
     * s3proxy as its own process ({@code java -jar s3proxy-…-jar-with-dependencies.jar}) started by
     * {@code bin/s3proxy-start} in {@code directory}; {@link #close} runs {@code bin/s3proxy-stop}.
     */
    public static S3ProxyServer asProcess(Path directory) {
        Map<String, String> started = run("s3proxy-start", directory, "--bucket", BUCKET, "--identity", IDENTITY,
                "--credential", CREDENTIAL);
        return new S3ProxyServer(URI.create(started.get("endpoint")), () -> run("s3proxy-stop", directory));
    }

    /** Runs a script of bin/ and reads the {@code key=value} lines it prints. */
    private static Map<String, String> run(String script, Path directory, String... arguments) {
        Path bin = repositoryRoot().resolve("bin").resolve(script);
        List<String> command = new java.util.ArrayList<>(List.of(bin.toString(), directory.toString()));
        command.addAll(List.of(arguments));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Path jar = repositoryRoot().resolve(Path.of("berth-server", "target", "s3proxy",
                    "s3proxy-jar-with-dependencies.jar")); // the build copies it there; else bin/s3proxy-start fetches it
            if (Files.exists(jar)) {
                builder.environment().put("S3PROXY_JAR", jar.toString());
            }
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(script + " failed: " + output);
            }
            return output.lines().filter(line -> line.contains("="))
                    .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                            line -> line.substring(line.indexOf('=') + 1), (a, b) -> b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The checkout's root: the tests run in a module's folder (berth-server/, berth-cli/). */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("bin")) ? here : here.getParent();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The driver's settings for this server's bucket, with static credentials and path-style access. */
    public S3Config config() {
        return S3Config.at(endpoint, BUCKET, IDENTITY, CREDENTIAL);
    }

    @Override
    public void close() throws Exception {
        stop.close();
    }
}
