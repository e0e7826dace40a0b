package io.berth.server.scrub;

import io.berth.server.blob.BlobIntegrity;
import io.berth.server.meta.BlobInventory;
import io.berth.server.meta.BlobInventory.RecordedBlob;
import io.berth.server.meta.JobLease;
import io.berth.server.meta.NodeId;
import io.berth.server.meta.ScrubRecords;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrubs the blob store online: re-hashes every live blob the database records, at most {@code storage.scrubRate}
 * bytes per second, and quarantines those whose bytes do not match (see {@link BlobIntegrity}); blobs whose file is
 * missing are reported. Pushes and pulls go on meanwhile; a blob pushed again during the scrub is never quarantined
 * for the bytes it replaced. One scrub at a time across the nodes sharing the database (the {@code scrub}
 * {@link JobLease}, renewed as it goes), on a thread of its own (a scrub of a large store takes hours and must not
 * hold a worker that requests need). Reports are saved to {@link ScrubRecords} as the scrub goes (every
 * {@value #SAVE_EVERY_MILLIS} ms at most) so that every node lists the same {@value #RECENT} last runs.
 */
public final class Scrubber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
    static final int RECENT = 20;
    private static final int PAGE = 500;
    /** A report names at most this many digests of each kind; the counts are complete. */
    static final int LISTED = 100;

    private static final long SAVE_EVERY_MILLIS = 2_000;
    private static final Duration LEASE = Duration.ofMinutes(1);

    private final BlobInventory inventory;
    private final BlobIntegrity integrity;
    private final ScrubRecords records;
    private final JobLease lease;
    private final NodeId node;
    private final long bytesPerSecond;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "berth-scrub");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();
    private final LongAdder blobsChecked = new LongAdder();
    private final LongAdder bytesChecked = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final LongAdder runs = new LongAdder();

    /** Totals since the start of this process, for the metrics. */
    public record Counts(long runs, long blobsChecked, long bytesChecked, long corrupt, long missing) {
    }

    /** A scrub that was started, or why none was. */
    public sealed interface Started permits Running, Refused {
    }

    /** @param done completes with the run when it ends */
    public record Running(ScrubRun run, CompletableFuture<ScrubRun> done) implements Started {
    }

    public record Refused(String reason) implements Started {
    }

    /** @param bytesPerSecond the most a scrub reads per second, 0 for no limit */
    public Scrubber(BlobInventory inventory, BlobIntegrity integrity, ScrubRecords records, JobLease lease, NodeId node,
                    long bytesPerSecond, Clock clock) {
        this.records = records;
        this.lease = lease;
        this.node = node;
        this.inventory = inventory;
        this.integrity = integrity;
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
    }

    /** Blocking: starts a scrub in the background, unless one is running on this node or another. */
    public Started start() {
        if (!running.compareAndSet(false, true)) {
            return new Refused("a scrub is already running on this node");
        }
        ScrubRun run;
        try {
            if (!lease.acquire(LEASE)) {
                running.set(false);
                return new Refused("a scrub is already running on node "
                        + lease.holding().map(JobLease.Holding::holder).orElse("(another)"));
            }
            run = new ScrubRun(records.start(node, clock.instant()), node.value(), clock.instant());
        } catch (RuntimeException e) {
            running.set(false);
            throw e;
        }
        CompletableFuture<ScrubRun> done = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                scrub(run);
                run.finish(clock.instant(), Optional.empty());
            } catch (RuntimeException | Error e) {
                LOG.error("scrub {} failed", run.id(), e);
                run.finish(clock.instant(), Optional.of(String.valueOf(e.getMessage())));
            } finally {
                runs.increment();
                try {
                    records.save(run.stored());
                    lease.release();
                } catch (RuntimeException e) {
                    LOG.warn("scrub {}: saving its report failed: {}", run.id(), e.toString());
                }
                running.set(false);
                log(run);
                done.complete(run);
            }
        });
        return new Running(run, done);
    }

    private void scrub(ScrubRun run) {
        Throttle throttle = new Throttle(bytesPerSecond, clock);
        String after = "";
        long saved = clock.millis();
        for (List<RecordedBlob> page; !(page = inventory.page(after, PAGE)).isEmpty(); ) {
            for (RecordedBlob blob : page) {
                if (clock.millis() - saved >= SAVE_EVERY_MILLIS) {
                    saved = clock.millis();
                    records.save(run.stored());
                    if (!lease.acquire(LEASE)) {
                        throw new IllegalStateException("lost the scrub lease to another node (this one stalled"
                                + " for over " + LEASE + ")");
                    }
                }
                BlobIntegrity.Outcome outcome = integrity.verify(blob.digest(), blob.size(), throttle::read);
                run.checked(blob.size());
                blobsChecked.increment();
                bytesChecked.add(outcome == BlobIntegrity.Outcome.INTACT ? blob.size() : 0);
                switch (outcome) {
                    case CORRUPT -> {
                        corrupt.increment();
                        run.corrupt(blob.digest());
                    }
                    case MISSING -> {
                        missing.increment();
                        run.missing(blob.digest());
                    }
                    case INTACT -> { }
                }
            }
            after = page.get(page.size() - 1).digest().toString();
        }
    }

    private static void log(ScrubRun run) {
        if (run.corruptCount() + run.missingCount() > 0 || run.error().isPresent()) {
            LOG.error("scrub {}: {} blobs checked ({} bytes), {} corrupt and quarantined {}, {} missing {}{}", run.id(),
                    run.blobsChecked(), run.bytesChecked(), run.corruptCount(), run.corruptDigests(),
                    run.missingCount(), run.missingDigests(), run.error().map(e -> "; failed: " + e).orElse(""));
        } else {
            LOG.info("scrub {}: {} blobs checked ({} bytes), all intact", run.id(), run.blobsChecked(),
                    run.bytesChecked());
        }
    }

    /** Blocking: the last runs of every node, newest first. */
    public List<ScrubRun> recent() {
        return records.recent(RECENT).stream().map(ScrubRun::of).toList();
    }

    public Counts counts() {
        return new Counts(runs.sum(), blobsChecked.sum(), bytesChecked.sum(), corrupt.sum(), missing.sum());
    }

    /** Stops a running scrub (its throttle or its next read ends it) and waits a moment for it. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keeps reading to {@code bytesPerSecond} on average by sleeping when ahead. */
    private static final class Throttle {
        private final long bytesPerSecond;
        private final Clock clock;
        private final long startMillis;
        private long bytes;

        Throttle(long bytesPerSecond, Clock clock) {
            this.bytesPerSecond = bytesPerSecond;
            this.clock = clock;
            this.startMillis = clock.millis();
        }

        void read(long n) {
            bytes += n;
            if (bytesPerSecond <= 0) {
                return;
            }
            long due = startMillis + bytes * 1000 / bytesPerSecond;
            long ahead = due - clock.millis();
            if (ahead > 0) {
                try {
                    Thread.sleep(ahead);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("the scrub was stopped (the server is shutting down)");
                }
            }
        }
    }

}
