package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth completion}: the script picocli generates, loaded by a real bash (and zsh) as a user's shell would,
 * completes verbs and options.
 */
class CompletionTest {
    @TempDir
    Path dir;

    @Test
    void bashCompletesVerbsAndTheirOptions() throws Exception {
        Path script = script();

        assertThat(complete(script, "berth", "show")).containsExactly("show-tags");
        assertThat(complete(script, "berth", "log")).containsExactlyInAnyOrder("login", "logout");
        assertThat(complete(script, "berth", "serve", "--li")).containsExactly("--listen");
        assertThat(complete(script, "berth", "manifest", "")).contains("get", "index");
    }

    @Test
    void zshLoadsTheScriptThroughBashcompinitAndRegistersBerth() throws Exception {
        Path script = script();

        // -f: no user start-up files, as on a machine with no completion set up: the script runs compinit itself.
        String registered = run(List.of("zsh", "-f", "-c", "source " + script + " && print -r -- ${_comps[berth]}"));

        assertThat(registered).contains("_complete_berth");
    }

    private Path script() throws Exception {
        CliRun run = CliRun.run("completion");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Files.writeString(dir.resolve("berth-completion"), run.out());
    }

    /** The words bash's completion offers for the command line {@code words}, completing the last one. */
    private List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word).append('\'');
        }
        // compopt, which the script calls, complains on stderr when bash is not completing for real: dropped
        String program = "source " + script + "\n"
                + "COMP_WORDS=(" + array + " )\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE='" + line + "'\n"
                + "COMP_POINT=" + line.length() + "\n"
                + "_complete_berth berth '" + words[words.length - 1] + "' '" + words[words.length - 2] + "' 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return run(List.of("bash", "--norc", "--noprofile", "-c", program)).lines().filter(w -> !w.isBlank()).toList();
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
