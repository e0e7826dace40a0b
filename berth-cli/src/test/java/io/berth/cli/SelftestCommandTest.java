package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}
