package io.berth.server.meta;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One garbage collection as recorded in {@code gc_runs}: when it ran, what it found and did, and how long each
 * phase took. While it runs it is recorded with status {@link Status#RUNNING} and zero counts.
 *
 * @param blobsExamined      blob rows looked at
 * @param blobsDeleted       blobs removed (in a dry run: that would have been)
 * @param bytesFreed         bytes of the files removed
 * @param linksDeleted       repository links removed (with their blob, or alone: unreferenced in that repository)
 * @param orphanFilesDeleted files without a database row, older than the grace period, removed
 * @param missingFiles       rows that a manifest references whose file is missing: not repairable, logged as errors
 */
public record CollectionRun(long id, Instant startedAt, Optional<Instant> finishedAt, boolean dryRun, Status status,
                            long blobsExamined, long blobsDeleted, long bytesFreed, long linksDeleted,
                            long orphanFilesDeleted, long missingFiles, List<Phase> phases, Optional<String> error) {

    public enum Status {
        RUNNING, DONE, FAILED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A phase of a run: {@code mark}, {@code sweep} or {@code repair}, and the time spent in it. */
    public record Phase(String name, Duration duration) {
    }

    public CollectionRun {
        phases = List.copyOf(phases);
    }
}
