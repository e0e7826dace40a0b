package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.BerthServer;
import io.berth.server.config.BerthConfig;
import io.berth.server.log.LogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth scrub}: a clean store, then one with a rotten blob, as a table and as JSON, with its exit codes. */
class ScrubCommandTest {
    @TempDir
    Path data;

    @TempDir
    Path work;

    @Test
    void reportsAnIntactStoreAndExitsOneWhenItQuarantinesARottenBlob() throws Exception {
        try (BerthServer server = BerthServer.start(BerthConfig.defaults(data).withListen("127.0.0.1", 0)
                .withLog(LogConfig.DEFAULT.withAccess(false)))) {
            String registry = "127.0.0.1:" + server.port();
            Path file = Files.writeString(work.resolve("notes.md"), "# notes\n".repeat(1000));
            CliRun push = CliRun.run("push", "--plain-http", registry + "/cli/scrub:1.0", file + ":text/markdown");
            assertThat(push.exitCode()).as(push.toString()).isZero();

            CliRun clean = CliRun.run("scrub", "--server", "http://" + registry);
            assertThat(clean.exitCode()).as(clean.toString()).isZero();
            assertThat(clean.out()).containsPattern("status +done").containsPattern("corrupt +0");

            Path layer;
            try (Stream<Path> blobs = Files.walk(data.resolve("blobs"))) {
                layer = blobs.filter(p -> {
                    try {
                        return Files.isRegularFile(p) && Files.size(p) == 8000;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(layer);
            bytes[0] ^= 1;
            Files.write(layer, bytes);

            CliRun rotten = CliRun.run("scrub", "--server", registry, "--plain-http", "--output", "json");
            assertThat(rotten.exitCode()).as(rotten.toString()).isEqualTo(1);
            JsonNode report = new ObjectMapper().readTree(rotten.out());
            assertThat(report.get("corrupt").asLong()).isEqualTo(1);
            assertThat(report.get("corruptDigests").get(0).asText()).isEqualTo("sha256:" + layer.getFileName());
            assertThat(layer).doesNotExist();
        }
    }
}
