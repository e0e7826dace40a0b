package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve}'s logging as the configuration sets it: {@code log.level: warn} leaves out the start-up's
 * information lines, the access log (on by default) stays, and {@code log.format: json} makes each of its lines one
 * JSON object.
 */
class ServeLogTest {
    @TempDir
    Path data;

    @Test
    void theLevelQuietsTheRestAndTheAccessLogStaysInJson() throws Exception {
        Path config = data.resolve("berth.yaml");
        Files.writeString(config, "log:\n  level: warn\n  format: json\n");
        ServerProcess server = ServerProcess.start(ServerProcess.freePort(), data, "--config", config.toString());
        try {
            assertThat(server.get("/metrics").statusCode()).isEqualTo(200);
            assertThat(server.get("/v2/nothing/tags/list").statusCode()).isEqualTo(404);
            Path log = data.resolve("server.log");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (access(log).size() < 3 && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            List<String> lines = access(log);
            assertThat(lines).as(Files.readString(log)).hasSizeGreaterThanOrEqualTo(3);
            ObjectMapper json = new ObjectMapper();
            JsonNode metrics = json.readTree(lines.get(lines.size() - 2));
            assertThat(metrics.path("route").asText()).isEqualTo("/metrics");
            assertThat(metrics.path("status").asInt()).isEqualTo(200);
            assertThat(metrics.path("bytesOut").asLong()).isGreaterThan(1000);
            JsonNode missing = json.readTree(lines.get(lines.size() - 1));
            assertThat(missing.path("route").asText()).isEqualTo("/v2/{name}/tags/list");
            assertThat(missing.path("status").asInt()).isEqualTo(404);
            assertThat(Files.readString(log)).as("no information lines at warn").doesNotContain("Berth listens on");
        } finally {
            server.process().destroy();
            server.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> access(Path log) throws java.io.IOException {
        // Standard output (the access log) and standard error (the rest) both go to server.log.
        return Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).toList();
    }
}
