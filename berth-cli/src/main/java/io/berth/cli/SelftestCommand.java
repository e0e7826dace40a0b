package io.berth.cli;

import io.berth.oci.Digest;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code berth selftest}: starts a registry on a free loopback port with its data in a temporary directory, pushes two
 * blobs and a manifest, reads them back with the tags list and the catalog, and stops. It tells an operator that this
 * installation works on this machine; the build also runs it to record the class-data archive that
 * {@code bin/berth serve} maps, so that a fresh build starts fast and its first requests find their classes there.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Starts a registry in a temporary directory on a free loopback port, pushes and pulls an artifact, stops.")
final class SelftestCommand implements Callable<Integer> {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** The digest of {@code {}}, OCI's empty descriptor. */
    private static final String EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    /** slf4j-simple's setting for where its lines go, read when the first logger is made. */
    private static final String LOG_FILE = "org.slf4j.simpleLogger.logFile";

    @Option(names = {"-q", "--quiet"}, description = "Print nothing when all went well (the build runs it so); on a "
            + "failure print the failure and the registry's log.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("berth-selftest-");
        Path log = data.resolve("selftest.log");
        boolean capture = quiet && System.getProperty(LOG_FILE) == null;
        if (capture) {
            // Keeps the registry's log lines until it is known whether they are needed; in a JVM whose logging
            // started before (a test), they go where they went.
            System.setProperty(LOG_FILE, log.toString());
        }
        boolean ok = false;
        try {
            ok = pushAndPull(data);
            return ok ? 0 : 1;
        } finally {
            if (capture) {
                System.clearProperty(LOG_FILE);
            }
            if (!ok && Files.isRegularFile(log)) {
                spec.commandLine().getErr().println("berth selftest: the registry's log:");
                spec.commandLine().getErr().println(Files.readString(log, StandardCharsets.UTF_8).stripTrailing());
                spec.commandLine().getErr().flush();
            }
            delete(data);
        }
    }

    /** Whether the registry under {@code data} took and gave back an artifact; says so unless quiet and ok. */
    private boolean pushAndPull(Path data) throws IOException {
        BerthConfig config = ConfigLoader.load(new ConfigLoader.Flags(Optional.of("127.0.0.1:0"), Optional.of(data),
                Optional.empty(), Optional.empty()), Map.of());
        config = config.withLog(config.log().withAccess(false)); // its own report says what it did
        SqliteLibrary.keepNextToJar(config.database());
        try (BerthServer server = BerthServer.start(config)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            byte[] blob = ("berth selftest " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(blob);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.berth.selftest\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + EMPTY + "\",\"size\":2},"
                    + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\"" + digest + "\",\"size\":" + blob.length + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            List<String> failed = new ArrayList<>();
            expect(failed, base, "GET", "/v2/", null, 200);
            expect(failed, base, "POST", "/v2/selftest/blobs/uploads/?digest=" + EMPTY, "{}".getBytes(StandardCharsets.UTF_8), 201);
            expect(failed, base, "POST", "/v2/selftest/blobs/uploads/?digest=" + digest, blob, 201);
            expect(failed, base, "PUT", "/v2/selftest/manifests/latest", manifest, 201);
            expect(failed, base, "HEAD", "/v2/selftest/manifests/latest", null, 200);
            expect(failed, base, "GET", "/v2/selftest/tags/list", null, 200);
            expect(failed, base, "GET", "/v2/_catalog", null, 200);
            byte[] pulled = expect(failed, base, "GET", "/v2/selftest/blobs/" + digest, null, 200);
            if (!Arrays.equals(blob, pulled)) {
                failed.add("GET blob: other bytes");
            }
            boolean ok = failed.isEmpty();
            if (ok && !quiet) {
                spec.commandLine().getOut().println("berth selftest: ok (" + base + ", data in " + data + ")");
            } else if (!ok) {
                spec.commandLine().getErr().println("berth selftest: failed: " + String.join("; ", failed));
            }
            return ok;
        }
    }

    /**
     * One request over {@link HttpURLConnection}: unlike java.net.http it does not set up TLS, whose classes would
     * otherwise go into the class-data archive that {@code serve} maps. Returns the body; a wrong status goes to
     * {@code failed}.
     */
    private static byte[] expect(List<String> failed, URI base, String method, String path, byte[] body, int status)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        c.setRequestMethod(method);
        if (path.contains("/manifests/")) {
            c.setRequestProperty(body == null ? "Accept" : "Content-Type", OCI_MANIFEST);
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int answered = c.getResponseCode();
        if (answered != status) {
            failed.add(method + " " + path + ": " + answered);
        }
        try (InputStream in = answered < 400 ? c.getInputStream() : c.getErrorStream()) {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory, e);
        }
    }
}
