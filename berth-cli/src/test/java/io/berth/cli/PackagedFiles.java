package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the build packaged, for the {@code *PackageTest}s: those run in the package-tests execution, after package,
 * which names the files in system properties. Run earlier (an IDE, {@code -Dtest=…} in the test phase) they are
 * skipped: the files do not exist yet.
 */
final class PackagedFiles {
    private PackagedFiles() {
    }

    /** target/berth.jar */
    static Path jar() {
        return existing("berth.jar");
    }

    /** target/berth-VERSION.tar.gz */
    static Path distribution() {
        return existing("berth.dist");
    }

    private static Path existing(String property) {
        String path = System.getProperty(property);
        assumeTrue(path != null, "-D" + property + " is set by the package-tests execution, after package");
        assertThat(Path.of(path)).as("built by the package phase").isRegularFile();
        return Path.of(path);
    }

    /** Runs {@code command} (in {@code environment} added to this one) to its end; its output, asserted exit 0. */
    static String run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("%s did not end", command).isTrue();
        assertThat(process.exitValue()).as("%s%n%s", command, out).isZero();
        return out;
    }

    static String sha256(Path file) throws Exception {
        return ServerProcess.sha256(Files.readAllBytes(file));
    }
}
