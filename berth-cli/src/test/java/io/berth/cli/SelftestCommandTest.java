package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code berth selftest}: a registry in a temporary directory answers, takes a blob and gives it back, then is gone. */
class SelftestCommandTest {
    @Test
    void pushesAndPullsABlobThenRemovesItsData() {
        CliRun run = CliRun.run("selftest");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Matcher ok = Pattern.compile("berth selftest: ok \\(http://127\\.0\\.0\\.1:\\d+, data in (.+)\\)").matcher(run.out());
        assertThat(ok.find()).as(run.toString()).isTrue();
        assertThat(Path.of(ok.group(1))).doesNotExist();
    }

    /**
     * The build runs {@code berth selftest --quiet} (to record the class-data archive), and {@code ./mvnw -q} is to
     * print nothing: in a JVM of its own, as the build runs it, nothing on either stream, not even the registry's log.
     */
    @Test
    void quietPrintsNothingWhenAllWentWell() throws Exception {
        assertThat(inItsOwnJvm("selftest")).contains("berth selftest: ok").contains("Berth listens on");
        assertThat(inItsOwnJvm("selftest", "--quiet")).isEmpty();
    }

    private static String inItsOwnJvm(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
