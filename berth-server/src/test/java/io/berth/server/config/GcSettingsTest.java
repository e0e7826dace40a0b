package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.gc.GcConfig;
import io.berth.server.startup.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gc.interval} and {@code gc.gracePeriod}: defaults, YAML, environment, durations in h and d, refusals. */
class GcSettingsTest {
    @TempDir
    Path dir;

    private ConfigLoader.Flags flags(Optional<Path> file) {
        return new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), file);
    }

    @Test
    void defaultsAreAnHourlyRunWithADayOfGrace() {
        assertThat(ConfigLoader.load(flags(Optional.empty()), Map.of()).gc()).isEqualTo(GcConfig.DEFAULT);
        assertThat(GcConfig.DEFAULT.interval()).isEqualTo(Duration.ofHours(1));
        assertThat(GcConfig.DEFAULT.gracePeriod()).isEqualTo(Duration.ofHours(24));
        assertThat(GcConfig.DEFAULT.touchAfter()).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void theEnvironmentOverridesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), "gc:\n  interval: 15m\n  gracePeriod: 7d\n");
        assertThat(ConfigLoader.load(flags(Optional.of(file)), Map.of()).gc())
                .isEqualTo(new GcConfig(Duration.ofMinutes(15), Duration.ofDays(7)));
        GcConfig fromEnvironment = ConfigLoader.load(flags(Optional.of(file)),
                Map.of("BERTH_GC_INTERVAL", "0s", "BERTH_GC_GRACE_PERIOD", "24h")).gc();
        assertThat(fromEnvironment).isEqualTo(new GcConfig(Duration.ZERO, Duration.ofHours(24)));
        assertThat(fromEnvironment.scheduled()).isFalse();
    }

    @Test
    void malformedDurationsAndUnknownKeysAreReported() throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), "gc:\n  every: 1h\n");
        assertThatThrownBy(() -> ConfigLoader.load(flags(Optional.of(file)), Map.of("BERTH_GC_GRACE_PERIOD", "a day")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gc: unknown key 'every'")
                .hasMessageContaining("gc.gracePeriod (BERTH_GC_GRACE_PERIOD) must be a duration");
    }
}
