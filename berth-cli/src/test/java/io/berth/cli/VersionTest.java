package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth --version}: the version and the git commit the build recorded, or "unknown commit" outside git. */
class VersionTest {
    private static final Path SCRIPT = Path.of("src", "build", "build-info.sh").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void versionNamesTheCommitOfThisCheckout() throws Exception {
        CliRun run = CliRun.run("--version");

        assertThat(run.exitCode()).isZero();
        String head = git("rev-parse", "HEAD");
        if (head.isEmpty()) { // a source tree without git: the build said so
            assertThat(run.out().strip()).matches("berth \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(unknown commit\\)");
        } else {
            assertThat(run.out().strip()).matches("berth \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{12,}(-dirty)?\\)");
            String commit = run.out().replaceAll("(?s).*\\(commit ([0-9a-f]+).*", "$1");
            assertThat(head).startsWith(commit);
        }
        assertThat(CliRun.run("version").out()).startsWith(run.out().strip() + "\n").containsPattern("\\njava \\d+");
    }

    @Test
    void aBuildOutsideGitRecordsAnUnknownCommit() throws Exception {
        Path out = dir.resolve("classes/io/berth/cli/build.properties");
        Path source = Files.createDirectories(dir.resolve("unpacked-source"));

        Process script = new ProcessBuilder("sh", SCRIPT.toString(), out.toString(), "1.2.3", source.toString())
                .redirectErrorStream(true).start();
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).isZero();

        Properties recorded = new Properties();
        recorded.load(Files.newBufferedReader(out));
        assertThat(recorded).containsEntry("version", "1.2.3").containsEntry("commit", "unknown");
        BuildInfo info = BuildInfo.read(Files.newInputStream(out));
        assertThat(info.describe()).isEqualTo("1.2.3 (unknown commit)");
    }

    @Test
    void describesARecordedCommit() throws Exception {
        BuildInfo info = BuildInfo.read(new ByteArrayInputStream(
                "version=0.2.0\ncommit=5c8a6df1a2b3-dirty\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(info.describe()).isEqualTo("0.2.0 (commit 5c8a6df1a2b3-dirty)");
        assertThat(BuildInfo.read(new ByteArrayInputStream(new byte[0])).describe())
                .isEqualTo("development-build (unknown commit)");
    }

    /** git's answer in the checkout, or "" where there is no git or no checkout. */
    private static String git(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", ".."));
        command.addAll(List.of(args));
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 ? out : "";
        } catch (java.io.IOException noGit) {
            return "";
        }
    }
}
