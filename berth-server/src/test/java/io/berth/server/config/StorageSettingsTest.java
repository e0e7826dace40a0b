package io.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.blob.StorageConfig;
import io.berth.server.startup.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code storage} section: defaults, sizes in human units from YAML and the environment, refusals by key. */
class StorageSettingsTest {
    @TempDir
    Path dir;

    private ConfigLoader.Flags flags(Optional<Path> file) {
        return new ConfigLoader.Flags(Optional.empty(), Optional.of(dir), file);
    }

    @Test
    void defaultsKeepAGibibyteInReserveAndVerifySmallBlobsOnRead() {
        StorageConfig storage = ConfigLoader.load(flags(Optional.empty()), Map.of()).storage();
        assertThat(storage).isEqualTo(StorageConfig.DEFAULT);
        assertThat(storage.minFreeSpace()).isEqualTo(1L << 30);
        assertThat(storage.readOnly()).isFalse();
        assertThat(storage.verifyOnReadBelow()).isEqualTo(256 << 10);
        assertThat(storage.scrubRate()).isEqualTo(64 << 20);
        assertThat(storage.checkInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void sizesTakeHumanUnitsAndTheEnvironmentOverridesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), """
                storage:
                  minFreeSpace: 10GiB
                  readOnly: true
                  verifyOnReadBelow: 1MiB
                  scrubRate: 512KiB
                  checkInterval: 2s
                """);
        assertThat(ConfigLoader.load(flags(Optional.of(file)), Map.of()).storage())
                .isEqualTo(new StorageConfig(10L << 30, true, 1 << 20, 512 << 10, Duration.ofSeconds(2)));
        StorageConfig fromEnvironment = ConfigLoader.load(flags(Optional.of(file)), Map.of(
                "BERTH_STORAGE_MIN_FREE_SPACE", "500 MB", "BERTH_STORAGE_READ_ONLY", "false",
                "BERTH_STORAGE_VERIFY_ON_READ_BELOW", "0", "BERTH_STORAGE_SCRUB_RATE", "1073741824")).storage();
        assertThat(fromEnvironment.minFreeSpace()).as("MB in powers of 1000, as ByteSize reads it").isEqualTo(500_000_000L);
        assertThat(fromEnvironment.readOnly()).isFalse();
        assertThat(fromEnvironment.verifyOnReadBelow()).isZero();
        assertThat(fromEnvironment.scrubRate()).isEqualTo(1L << 30);
    }

    @Test
    void malformedSizesAndUnknownKeysAreReportedByKey() throws Exception {
        Path file = Files.writeString(dir.resolve("berth.yaml"), "storage:\n  reserve: 1GiB\n  checkInterval: 10ms\n");
        assertThatThrownBy(() -> ConfigLoader.load(flags(Optional.of(file)),
                Map.of("BERTH_STORAGE_MIN_FREE_SPACE", "a lot")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage: unknown key 'reserve'")
                .hasMessageContaining("storage.minFreeSpace (BERTH_STORAGE_MIN_FREE_SPACE) must be a size such as 1GiB")
                .hasMessageContaining("storage.checkInterval must be at least 100ms");
    }
}
