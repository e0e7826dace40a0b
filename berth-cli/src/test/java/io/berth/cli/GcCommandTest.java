package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.gc.GcConfig;
import io.berth.server.log.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth gc}: a dry run and a real run against a Berth server, as JSON and as a table. */
class GcCommandTest {
    @TempDir
    Path data;

    @TempDir
    Path work;

    @Test
    void aDryRunReportsWhatTheRealRunThenDeletes() throws Exception {
        try (BerthServer server = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)).withGc(new GcConfig(Duration.ZERO, Duration.ZERO)))) {
            String registry = "127.0.0.1:" + server.port();
            Path file = Files.writeString(work.resolve("notes.md"), "# notes\n");
            CliRun push = CliRun.run("push", "--plain-http", registry + "/cli/gc:1.0", file + ":text/markdown");
            assertThat(push.exitCode()).as(push.toString()).isZero();
            String digest = push.out().lines().filter(l -> l.startsWith("Digest: ")).findFirst().orElseThrow()
                    .substring(8);
            assertThat(CliRun.run("delete", "--plain-http", registry + "/cli/gc@" + digest).exitCode()).isZero();

            CliRun dry = CliRun.run("gc", "--dry-run", "--server", "http://" + registry, "--output", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            JsonNode report = new ObjectMapper().readTree(dry.out());
            assertThat(report.get("dryRun").asBoolean()).isTrue();
            assertThat(report.get("blobsDeleted").asLong()).isEqualTo(2); // the file's layer and the empty config
            assertThat(report.get("status").asText()).isEqualTo("done");

            CliRun real = CliRun.run("gc", "--server", registry, "--plain-http");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(real.out()).containsPattern("blobsDeleted +2").containsPattern("dryRun +false")
                    .contains("phase sweep");

            CliRun refused = CliRun.run("gc", "--server", "ftp://" + registry);
            assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        }
    }
}
