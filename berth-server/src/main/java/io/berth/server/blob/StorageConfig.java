package io.berth.server.blob;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code storage} section: how the registry protects the bytes it keeps.
 *
 * <pre>
 * storage:
 *   minFreeSpace: 1GiB         # BERTH_STORAGE_MIN_FREE_SPACE: below this the registry turns read-only by itself
 *   readOnly: false            # BERTH_STORAGE_READ_ONLY: start read-only (maintenance); also POST /api/v1/admin/read-only
 *   verifyOnReadBelow: 256KiB  # BERTH_STORAGE_VERIFY_ON_READ_BELOW: blobs up to this size are re-hashed on every GET, 0 = never
 *   scrubRate: 64MiB           # BERTH_STORAGE_SCRUB_RATE: bytes per second a scrub reads at most, 0 = unlimited
 *   checkInterval: 5s          # BERTH_STORAGE_CHECK_INTERVAL: how often free space and writability are checked
 * </pre>
 *
 * @param minFreeSpace      the free space the data directory's file system keeps in reserve: below it writes are
 *                          refused (503, read-only) and {@code /readyz} says not ready, so that a full disk never
 *                          breaks a write half-way; above it again, writes resume without a restart
 * @param readOnly          whether the registry starts in read-only mode (reads work, writes are refused)
 * @param verifyOnReadBelow blob GETs of at most this many bytes re-hash the file before they are served: a mismatch is
 *                          never served (404, and the file is quarantined); configs, signatures and SBOMs are small
 * @param scrubRate         the bytes per second a scrub reads at most, so that it does not starve pulls of the disk
 * @param checkInterval     how often a worker checks free space and that the data directory and the database take
 *                          writes; {@code /readyz} answers from the last check
 */
public record StorageConfig(long minFreeSpace, boolean readOnly, long verifyOnReadBelow, long scrubRate,
                            Duration checkInterval) {
    public static final StorageConfig DEFAULT = new StorageConfig(1L << 30, false, 256L << 10, 64L << 20,
            Duration.ofSeconds(5));
    private static final Duration SHORTEST_CHECK = Duration.ofMillis(100);

    /** What is wrong with this section, each problem naming its key. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (minFreeSpace < 0 || verifyOnReadBelow < 0 || scrubRate < 0) {
            problems.add("storage.minFreeSpace, storage.verifyOnReadBelow and storage.scrubRate must be 0 or more");
        }
        if (verifyOnReadBelow > Integer.MAX_VALUE - 8) {
            problems.add("storage.verifyOnReadBelow must be below 2GiB (such blobs are read whole into memory), was "
                    + human(verifyOnReadBelow));
        }
        if (checkInterval == null || checkInterval.compareTo(SHORTEST_CHECK) < 0) {
            problems.add("storage.checkInterval must be at least 100ms, was " + checkInterval);
        }
        return problems;
    }

    public StorageConfig withReadOnly(boolean readOnly) {
        return new StorageConfig(minFreeSpace, readOnly, verifyOnReadBelow, scrubRate, checkInterval);
    }

    public StorageConfig withMinFreeSpace(long minFreeSpace) {
        return new StorageConfig(minFreeSpace, readOnly, verifyOnReadBelow, scrubRate, checkInterval);
    }

    public StorageConfig withCheckInterval(Duration checkInterval) {
        return new StorageConfig(minFreeSpace, readOnly, verifyOnReadBelow, scrubRate, checkInterval);
    }

    public StorageConfig withVerifyOnReadBelow(long verifyOnReadBelow) {
        return new StorageConfig(minFreeSpace, readOnly, verifyOnReadBelow, scrubRate, checkInterval);
    }

    public StorageConfig withScrubRate(long scrubRate) {
        return new StorageConfig(minFreeSpace, readOnly, verifyOnReadBelow, scrubRate, checkInterval);
    }

    /** {@code 1.5 GiB}, {@code 300 KiB}, {@code 12 B}: sizes as messages and reports show them. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
