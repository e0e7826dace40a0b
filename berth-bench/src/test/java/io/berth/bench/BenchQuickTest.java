package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole harness with {@code --quick} against Berth (the jar that berth-cli built just before this module)
 * and Distribution: every phase must complete with only expected answers and give a figure for both servers (Berth
 * alone for the listing API's figures, which Distribution has no counterpart of).
 * Skipped on a developer machine where docker-registry, wrk, ab or curl is missing; in CI ({@code CI=true}, where .ci/run
 * installs them) a missing tool fails the test instead.
 */
class BenchQuickTest {
    private static void require(boolean present, String missing) {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(present).as(missing).isTrue();
        }
        assumeTrue(present, missing);
    }

    @Test
    void quickRunMeasuresEveryFigureForBothServers(@TempDir Path tmp) throws Exception {
        Path jar = Path.of("..", "berth-cli", "target", "berth.jar").toAbsolutePath().normalize();
        require(Files.isRegularFile(jar), "no " + jar + " (build berth-cli first)");
        require(Files.isExecutable(Path.of("/usr/bin/docker-registry")), "no /usr/bin/docker-registry (apt-get install docker-registry)");
        require(onPath("wrk") && onPath("ab") && onPath("curl"), "wrk, ab or curl is missing (apt-get install wrk apache2-utils curl)");

        Path out = tmp.resolve("report");
        long t0 = System.nanoTime();
        int exit = Main.run("--quick", "--berth-cmd", "java -jar " + jar + " serve", "--out", out.toString(),
                "--tmp", tmp.toString(), "--timeout-minutes", "3");
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(Files.readString(out.resolve("report.md"))).contains("| figure |");
        JsonNode report = Registry.JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.path("failures").toString()).as("unexpected answers").isIn("{}", "{\"Distribution\":{},\"Berth\":{}}");
        assertThat(exit).isZero();
        List<String> missing = new ArrayList<>();
        List<String> berthOnly = new ArrayList<>();
        for (JsonNode figure : report.path("figures")) {
            if (figure.path("berthOnly").asBoolean()) {
                berthOnly.add(figure.path("id").asText());
                assertThat(figure.path("distribution").path("median").isNull()).as(figure.path("id") + " of distribution").isTrue();
            }
            for (String server : figure.path("berthOnly").asBoolean() ? List.of("berth") : List.of("distribution", "berth")) {
                if (figure.path(server).path("median").isNull() || figure.path(server).path("median").isMissingNode()) {
                    missing.add(figure.path("id").asText() + " of " + server);
                }
            }
        }
        assertThat(missing).as("figures without a value").isEmpty();
        assertThat(berthOnly).as("the listing API's figures, Berth only: 4 × req/s, p50, p99, server CPU").hasSize(16).allMatch(id -> id.startsWith("listing-"));
        assertThat(Files.readString(out.resolve("report.md"))).contains("n/a (Berth only)");
        assertThat(report.path("figures").size()).isGreaterThan(30);
        assertThat(report.path("phases").size()).as("start-up, warm-up and 17 measured phases").isEqualTo(19);
        JsonNode uploads = report.path("curves").path("uploads");
        assertThat(uploads.findValuesAsText("clients")).as("the upload curve's points").containsExactly("1", "8");
        for (JsonNode point : uploads) {
            assertThat(point.path("distributionMiBps").asDouble()).as(point + " of Distribution").isPositive();
            assertThat(point.path("berthMiBps").asDouble()).as(point + " of Berth").isPositive();
        }
        assertThat(Files.readString(out.resolve("curves.svg"))).as("the upload curve, one line per server")
                .contains("<polyline", ">Distribution<", ">Berth<");
        List<String> bare = new ArrayList<>();
        report.path("machine").fields().forEachRemaining(f -> {
            if (f.getKey().startsWith("bare receiver")) {
                bare.add(f.getKey() + " = " + f.getValue().path("value").asDouble());
                assertThat(f.getValue().path("value").asDouble()).as(f.getKey()).isPositive();
            }
        });
        assertThat(bare).as("the bare receiver's rate and its share of dd").hasSize(2);
        assertThat(seconds).as("the quick run's duration").isLessThan(90);
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
