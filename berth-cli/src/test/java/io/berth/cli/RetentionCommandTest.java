package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.log.LogConfig;
import io.berth.server.retention.KeepRule;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth retention preview} and {@code run} against a Berth server whose policy keeps the latest tag. */
class RetentionCommandTest {
    @TempDir
    Path data;

    @TempDir
    Path work;

    @Test
    void thePreviewShowsWhatTheRunThenDeletes() throws Exception {
        RetentionConfig latest = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy("latest",
                List.of(RepositoryGlob.of("cli/**")), Set.of(), List.of(), List.of(new KeepRule("keep[0]",
                Optional.empty(), Set.of(), OptionalInt.of(1), Optional.empty(), Optional.empty())))));
        try (BerthServer server = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)).withRetention(latest))) {
            String registry = "127.0.0.1:" + server.port();
            Path file = Files.writeString(work.resolve("notes.md"), "# notes\n");
            for (String tag : List.of("1.0", "2.0")) {
                CliRun push = CliRun.run("push", "--plain-http", registry + "/cli/ret:" + tag, file + ":text/markdown");
                assertThat(push.exitCode()).as(push.toString()).isZero();
                Files.writeString(file, "# notes " + tag + "\n");
            }

            CliRun json = CliRun.run("retention", "preview", "--server", "http://" + registry, "--output", "json");
            assertThat(json.exitCode()).as(json.toString()).isZero();
            JsonNode preview = new ObjectMapper().readTree(json.out());
            assertThat(preview.get("dryRun").asBoolean()).isTrue();
            assertThat(preview.get("deletions")).extracting(d -> d.get("tag").asText() + "/" + d.get("rule").asText())
                    .containsExactly("1.0/not kept", "null/left untagged");

            CliRun table = CliRun.run("retention", "preview", "--server", registry, "--plain-http");
            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.out()).contains("cli/ret", ":1.0", "latest", "not kept", "would delete")
                    .doesNotContain(":2.0").contains("Would delete 1 tags and 1 manifests");

            CliRun run = CliRun.run("retention", "run", "--server", "http://" + registry);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).contains(":1.0", "deleted").contains("Deleted 1 tags and 1 manifests");

            CliRun after = CliRun.run("retention", "preview", "--server", "http://" + registry);
            assertThat(after.out()).contains("Nothing to delete in 1 repositories.");
            CliRun tags = CliRun.run("show-tags", "--plain-http", registry + "/cli/ret");
            assertThat(tags.out()).containsPattern("(?m)^2\\.0\\b").doesNotContainPattern("(?m)^1\\.0\\b").doesNotContain("ret:1.0");

            CliRun refused = CliRun.run("retention", "preview", "--server", "ftp://" + registry);
            assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        }
    }
}
