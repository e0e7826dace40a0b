package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth-VERSION.tar.gz installed as docs/install.md says — unpacked into a directory of its own and its launcher
 * linked into a directory on the PATH — runs {@code berth --version} and {@code berth serve} from there.
 */
class DistributionPackageTest {
    @TempDir
    Path dir;

    @Test
    void unpackedAndLinkedOntoThePathItReportsItsVersionAndServes() throws Exception {
        Path distribution = PackagedFiles.distribution();
        Path opt = Files.createDirectories(dir.resolve("opt"));
        PackagedFiles.run(List.of("tar", "-xzf", distribution.toString(), "-C", opt.toString()), Map.of());
        String version = BuildInfo.current().version();
        Path home = opt.resolve("berth-" + version);
        try (Stream<Path> unpacked = Files.list(opt)) {
            assertThat(unpacked.toList()).as("one top directory").containsExactly(home);
        }
        assertThat(home.resolve("bin/berth")).isExecutable();
        assertThat(PackagedFiles.sha256(home.resolve("lib/berth.jar"))).isEqualTo(PackagedFiles.sha256(PackagedFiles.jar()));
        assertThat(home.resolve("LICENSE")).content().contains("Apache License").contains("Version 2.0, January 2004");
        assertThat(home.resolve("NOTICE")).content().contains("Jackson").contains("The Apache Software Foundation");
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("docs/install.md")).isRegularFile();
        assertThat(home.resolve("share/bash-completion/completions/berth")).content()
                .contains("complete -F _complete_berth").contains("show-tags");

        Path onPath = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(onPath.resolve("berth"), home.resolve("bin/berth"));
        Map<String, String> path = Map.of("PATH", onPath + ":" + System.getenv("PATH"));
        String reported = PackagedFiles.run(List.of("sh", "-c", "cd / && berth --version"), path);
        assertThat(reported.strip()).startsWith("berth " + version + " (").endsWith(")")
                .isEqualTo("berth " + BuildInfo.current().describe());

        Path data = dir.resolve("data");
        String firstStart = serve(path, data);
        assertThat(firstStart).as("no archive to map yet").doesNotContain("berth.jar.jsa");
        assertThat(data.resolve("berth.db")).as("SQLite under --data").isRegularFile();
        assertThat(home.resolve("lib/berth.jar.jsa")).as("class-data archive recorded next to the unpacked jar at exit")
                .isRegularFile();
        assertThat(home.resolve("lib/berth.jar.jsa.stamp")).content().startsWith(home.resolve("lib/berth.jar") + "\n");

        assertThat(serve(path, data)).as("the second start maps the archive")
                .contains(home.resolve("lib/berth.jar.jsa").toString());
    }

    /**
     * Starts {@code berth serve} from the PATH, waits for 200 on {@code /v2/}, stops it with SIGTERM as a supervisor
     * would (the launcher exec'd the JVM, which writes the class-data archive as it exits); the JVM's memory map
     * while it served.
     */
    private String serve(Map<String, String> path, Path data) throws Exception {
        int port = ServerProcess.freePort();
        ProcessBuilder serve = new ProcessBuilder("sh", "-c", "exec berth serve --listen 127.0.0.1:" + port + " --data " + data)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("serve.log").toFile()));
        serve.environment().putAll(path);
        serve.environment().remove("BERTH_JAR");
        serve.environment().remove("BERTH_CDS");
        Process server = serve.start();
        try {
            assertThat(v2Status(port, server)).as("GET /v2/ of the unpacked berth; log:%n%s", log()).isEqualTo(200);
            return Files.readString(Path.of("/proc", Long.toString(server.pid()), "maps"));
        } finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("serve.log"));
    }

    private static int v2Status(int port, Process server) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && server.isAlive()) {
            try {
                return ServerProcess.HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        return -1;
    }
}
