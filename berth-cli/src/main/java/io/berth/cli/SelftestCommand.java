package io.berth.cli;

import io.berth.oci.Digest;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code berth selftest}: starts a registry on a free loopback port with its data in a temporary directory, pushes a
 * blob, reads it back, and stops. It tells an operator that this installation works on this machine; the build also
 * runs it to record the class-data archive that {@code bin/berth serve} maps, so that a fresh build starts fast.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Starts a registry in a temporary directory on a free loopback port, pushes and pulls a blob, stops.")
final class SelftestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("berth-selftest-");
        BerthConfig config = ConfigLoader.load(new ConfigLoader.Flags(Optional.of("127.0.0.1:0"), Optional.of(data),
                Optional.empty(), Optional.empty()), Map.of());
        SqliteLibrary.keepNextToJar(config.database());
        try (BerthServer server = BerthServer.start(config)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpClient http = HttpClient.newHttpClient();
            byte[] blob = ("berth selftest " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256(blob);
            int base200 = http.send(HttpRequest.newBuilder(base.resolve("/v2/")).build(), BodyHandlers.discarding())
                    .statusCode();
            int pushed = http.send(HttpRequest.newBuilder(base.resolve("/v2/selftest/blobs/uploads/?digest=" + digest))
                    .POST(BodyPublishers.ofByteArray(blob)).header("Content-Type", "application/octet-stream").build(),
                    BodyHandlers.discarding()).statusCode();
            byte[] pulled = http.send(HttpRequest.newBuilder(base.resolve("/v2/selftest/blobs/" + digest)).build(),
                    BodyHandlers.ofByteArray()).body();
            boolean ok = base200 == 200 && pushed == 201 && Arrays.equals(blob, pulled);
            (ok ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(ok
                    ? "berth selftest: ok (" + base + ", data in " + data + ")"
                    : "berth selftest: failed: GET /v2/ " + base200 + ", push " + pushed + ", pulled "
                    + (Arrays.equals(blob, pulled) ? "the same bytes" : "other bytes"));
            return ok ? 0 : 1;
        } finally {
            delete(data);
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
