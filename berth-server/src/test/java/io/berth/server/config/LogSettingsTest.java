package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.berth.server.log.LogConfig;
import io.berth.server.startup.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code log} section: its defaults, the YAML keys, the {@code BERTH_LOG_*} variables over them, and its mistakes. */
class LogSettingsTest {
    @TempDir
    Path dir;

    @Test
    void byDefaultInformationAndAnAccessLogInText() {
        assertThat(ConfigLoader.load(flags(Optional.empty()), Map.of()).log())
                .isEqualTo(new LogConfig(LogConfig.Level.INFO, LogConfig.Format.TEXT, true));
    }

    @Test
    void theFileSetsTheLevelAndTheAccessLogAndTheEnvironmentWins() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                log:
                  level: WARN
                  format: json
                  access: false
                """);
        assertThat(ConfigLoader.load(flags(Optional.of(file)), Map.of()).log())
                .isEqualTo(new LogConfig(LogConfig.Level.WARN, LogConfig.Format.JSON, false));
        assertThat(ConfigLoader.load(flags(Optional.of(file)), Map.of("BERTH_LOG_LEVEL", "debug",
                "BERTH_LOG_FORMAT", "text", "BERTH_LOG_ACCESS", "true")).log())
                .isEqualTo(new LogConfig(LogConfig.Level.DEBUG, LogConfig.Format.TEXT, true));
    }

    @Test
    void everyMistakeIsNamedWithItsKey() throws Exception {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                log:
                  level: loud
                  format: xml
                  access: sometimes
                  colour: true
                """);
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.load(flags(Optional.of(file)), Map.of()),
                ConfigException.class);
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "log: unknown key 'colour' (known: " + java.util.Set.of("level", "format", "access") + ")",
                "log.level (BERTH_LOG_LEVEL) must be trace, debug, info, warn, error or off, was 'loud'",
                "log.format (BERTH_LOG_FORMAT) must be text or json, was 'xml'",
                "log.access (BERTH_LOG_ACCESS) must be true or false, was 'sometimes'");
    }

    private ConfigLoader.Flags flags(Optional<Path> file) {
        return new ConfigLoader.Flags(Optional.empty(), Optional.of(dir.resolve("data")), file);
    }
}
