package io.berth.server.readiness;

import io.berth.server.blob.BlobStore;
import io.berth.server.blob.StorageConfig;
import io.berth.server.blob.StorageFault;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Checks, every {@code storage.checkInterval} on a worker, that the registry can take writes: the data directory
 * takes a small file, its file system has more than {@code storage.minFreeSpace} free, and the database commits a
 * one-row update. {@code /readyz} answers from the last result, so a probe costs no disk write and never waits for a
 * stalled database; a check still running after {@link #stallAfter} counts as failed. Each result sets the automatic
 * read-only mode of {@link WriteAccess}: on while a check fails, off as soon as all pass again.
 */
public final class ReadinessProbe {
    private static final Duration SHORTEST_STALL = Duration.ofSeconds(10);

    private final BlobStore store;
    private final Callable<?> databaseWrite;
    private final StorageConfig config;
    private final WriteAccess writes;
    private final Clock clock;
    private volatile Status status;
    private volatile Instant runningSince;

    /** One check's result; {@code detail} says what was found. */
    public record Check(String name, boolean ok, String detail) {
    }

    /**
     * The last checks' results.
     *
     * @param freeBytes the free space of the data directory's file system, -1 when it could not be read or the storage does
     *                  not say (object stores)
     */
    public record Status(Instant checkedAt, List<Check> checks, long freeBytes) {
        public boolean ready() {
            return checks.stream().allMatch(Check::ok);
        }

        public List<String> reasons() {
            return checks.stream().filter(c -> !c.ok()).map(Check::detail).toList();
        }
    }

    /** @param databaseWrite commits a small write to the metadata database (blocking) */
    public ReadinessProbe(BlobStore store, Callable<?> databaseWrite, StorageConfig config, WriteAccess writes,
                          Clock clock) {
        this.store = store;
        this.databaseWrite = databaseWrite;
        this.config = config;
        this.writes = writes;
        this.clock = clock;
    }

    /** Checks now (blocking), then every {@code storage.checkInterval} on {@code workers}. */
    public ReadinessProbe start(Vertx vertx, WorkerExecutor workers) {
        check();
        long period = config.checkInterval().toMillis();
        vertx.setPeriodic(period, period, timer -> {
            Instant since = runningSince;
            if (since != null) {
                if (stalled(since)) {
                    writes.setAutomatic(List.of(stallReason(since)));
                }
                return;
            }
            workers.executeBlocking(this::check, false);
        });
        return this;
    }

    /** Blocking: runs every check and records the result. */
    public Status check() {
        runningSince = clock.instant();
        try {
            List<Check> checks = new ArrayList<>();
            checks.add(run("dataDirectory", () -> {
                store.checkWritable();
                return "takes writes";
            }));
            long free = -1;
            try {
                OptionalLong usable = store.usableSpace();
                if (usable.isPresent()) { // an object store does not say: no reserve to keep then
                    free = usable.getAsLong();
                    boolean enough = free >= config.minFreeSpace();
                    checks.add(new Check("freeSpace", enough, enough
                            ? StorageConfig.human(free) + " free"
                            : "free space is " + StorageConfig.human(free) + ", below the reserve of "
                            + StorageConfig.human(config.minFreeSpace()) + " (storage.minFreeSpace): storage is full"));
                }
            } catch (RuntimeException e) {
                checks.add(new Check("freeSpace", false, "the free space cannot be read: " + StorageFault.cause(e)));
            }
            checks.add(run("database", () -> {
                databaseWrite.call();
                return "takes writes";
            }));
            Status result = new Status(clock.instant(), List.copyOf(checks), free);
            status = result;
            writes.setAutomatic(result.reasons());
            return result;
        } finally {
            runningSince = null;
        }
    }

    private static Check run(String name, Callable<String> check) {
        try {
            return new Check(name, true, check.call());
        } catch (Exception e) {
            String what = name.equals("database") ? "the database" : "the data directory";
            return new Check(name, false, what + " cannot take writes: " + StorageFault.of(e)
                    .map(f -> f.message() + " (" + StorageFault.cause(e) + ")").orElse(StorageFault.cause(e)));
        }
    }

    /** The last result, with a check that has been running too long counted as failed. */
    public Status status() {
        Status last = status;
        Instant since = runningSince;
        if (since != null && stalled(since)) {
            List<Check> checks = new ArrayList<>(last == null ? List.of() : last.checks());
            checks.add(new Check("stalled", false, stallReason(since)));
            return new Status(last == null ? since : last.checkedAt(), List.copyOf(checks),
                    last == null ? -1 : last.freeBytes());
        }
        return Optional.ofNullable(last).orElseGet(() -> new Status(clock.instant(), List.of(), -1));
    }

    private boolean stalled(Instant since) {
        return since.isBefore(clock.instant().minus(stallAfter()));
    }

    /** Twice the check interval, at least ten seconds: a write that takes longer is stuck, not slow. */
    Duration stallAfter() {
        Duration twice = config.checkInterval().multipliedBy(2);
        return twice.compareTo(SHORTEST_STALL) < 0 ? SHORTEST_STALL : twice;
    }

    private String stallReason(Instant since) {
        return "a write to the data directory or the database has not finished for "
                + Duration.between(since, clock.instant()).toSeconds() + " s";
    }

    public StorageConfig config() {
        return config;
    }
}
