package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.server.startup.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration file of any content either loads or ends in a {@link ConfigException} whose problems say what is
 * wrong, never in another exception. See {@code FuzzContract} for how fuzzing runs.
 */
class ConfigLoaderFuzzTest {
    private static final Path FILE = tempFile();

    @FuzzTest(maxDuration = "15s")
    void load(byte[] yaml) throws IOException {
        Files.write(FILE, yaml);
        try {
            ConfigLoader.load(new ConfigLoader.Flags(Optional.empty(), Optional.empty(), Optional.of(FILE)), Map.of());
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem).isNotBlank());
        }
    }

    private static Path tempFile() {
        try {
            Path file = Files.createTempFile("berth-fuzz", ".yaml");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
