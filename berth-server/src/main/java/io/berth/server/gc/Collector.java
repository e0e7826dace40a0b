package io.berth.server.gc;

import io.berth.oci.Digest;
import io.berth.server.blob.BlobStore;
import io.berth.server.meta.BlobGarbage;
import io.berth.server.meta.BlobIndex;
import io.berth.server.meta.CollectionLease;
import io.berth.server.meta.CollectionRun;
import io.berth.server.meta.CollectionRuns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online garbage collection of blobs: no read-only window, any number of concurrent pushes, mounts and deletes.
 *
 * <h2>What is garbage</h2>
 * A blob is garbage when no manifest in any repository references it ({@code manifest_blobs}), no upload session is
 * completing it, and it was not uploaded, mounted or checked for existence (HEAD, GET, mount source) since the grace
 * period before the run started (its {@code touched_at}). A repository's link to a blob goes when no manifest of that
 * repository references it and neither the link nor the blob was touched within the grace period. Untagged
 * manifests are kept: deleting them is retention's business.
 *
 * <h2>Phases, in batches of {@value #BATCH}</h2>
 * <ol>
 * <li><b>mark</b>: page through the blob rows; those that look like garbage are marked {@code deleting} in one
 *     transaction per batch that locks them and decides again (and removes their links).</li>
 * <li><b>sweep</b>: for the marked rows, one transaction per batch locks them, deletes their files and then the rows.
 *     Then links that nothing in their repository references are removed, deciding under each link's lock.</li>
 * <li><b>repair</b>, while the mark pages through the rows: the store's listing, in digest order, is walked beside
 *     them (no stat per row, which on an object store would be a request per blob). Rows that a manifest references
 *     but whose file is missing are counted and logged as errors (never deleted: the manifest would lose a blob for
 *     good, and an operator may restore the file); files without a row, older than the grace period, are deleted; {@code deleting} rows left by a crash are finished by the mark
 *     and sweep (they count as garbage); rows without a file that nothing references are deleted like any garbage.</li>
 * </ol>
 *
 * <h2>The race, and why it is safe</h2>
 * A client learns that a blob exists (HEAD, or a mount) or finishes uploading it, then pushes a manifest that
 * references it, while a collection decides to delete it. Invariants: (I1) a row in state {@code live} has its file,
 * except for the moment an upload holds a reservation on it (below) before moving its bytes in; (I2) every blob a
 * stored manifest references is {@code live} (and so, by I1, has its file).
 * <ul>
 * <li><b>Manifest push vs. mark.</b> The push's transaction checks each blob with
 *     {@code ... AND b.state = 'live' FOR SHARE} and inserts its {@code manifest_blobs} rows. The mark's transaction
 *     first locks the candidate rows ({@code FOR UPDATE}), then re-checks "no {@code manifest_blobs} reference, no
 *     reservation, touched before the cutoff" in a new statement, which on PostgreSQL (READ COMMITTED) reads what was
 *     committed when that statement starts. The two locks conflict, so one transaction goes first. Push first: the
 *     mark waited for its commit and then sees the reference: the blob stays. Mark first: the push waited for the
 *     mark's commit, then re-reads the row, finds it {@code deleting} (and its link gone) and answers
 *     {@code MANIFEST_BLOB_UNKNOWN}; the client uploads the blob again. On SQLite the write transactions run one at a
 *     time, which gives the same two orders. Either way I2 holds.</li>
 * <li><b>Upload vs. collection.</b> Before an upload's verified bytes become the blob's file, the upload reserves the
 *     blob in one transaction ({@link BlobIndex#reserveForUpload}): it inserts a {@code live} row if there is none,
 *     locks it, and records the digest on its session ({@code uploads.finishing_digest}); the mark skips reserved
 *     blobs. If the row is {@code deleting} already, the upload finishes that deletion itself under the lock (deletes
 *     the old file, then the row) and inserts a new row. The collection deletes a file only while holding its
 *     {@code deleting} row's lock and deletes the row in the same transaction. So the collection's file deletion and
 *     the upload's reservation are ordered by the row lock: deletion first means the upload's bytes arrive after it;
 *     reservation first means the mark never marks the row while the session lives. The session ends in the
 *     transaction that links the blob ({@code linkUploaded}), which also touches it: from then on the grace period,
 *     a manifest reference, or a new reservation protects it. An upload's file is therefore never deleted after it
 *     was written while its row is live (I1).</li>
 * <li><b>Mount, HEAD.</b> A mount links only a {@code live} row, under a share lock, and touches it and the link;
 *     a mount or HEAD that came before the mark's decision only delays the blob by the grace period. With a grace
 *     period of zero (tests) a HEAD protects nothing, and the push may get {@code MANIFEST_BLOB_UNKNOWN}, which is the
 *     allowed outcome. Blob HEADs answered from {@code CachedBlobIndex} may say "exists" up to the cache's lifetime
 *     after a deletion (this node's cache is cleared when the collection marks a blob; other nodes' expire); the
 *     manifest push never uses the cache, so this can cost a client a re-upload, never a manifest with a missing blob.
 *     A HEAD refreshes {@code touched_at} only when it is older than an eighth of the grace period, so a blob that a
 *     client saw stays protected for at least seven eighths of it minus the cache's lifetime.</li>
 * <li><b>Crashes.</b> Every step is one transaction or an idempotent file deletion under a {@code deleting} row:
 *     killed after the mark, the rows stay {@code deleting} (unknown to pushes and mounts; an upload of the digest
 *     finishes their deletion) and the next run sweeps them; killed inside the sweep, the transaction rolls back and
 *     the file may be gone while the row is still {@code deleting}, which the next run finishes. A file whose row went
 *     missing (a crash between an upload's move and its reservation cannot happen, the reservation comes first;
 *     files written by older versions or by hand can) is deleted by the repair once older than the grace period,
 *     under a {@code deleting} row inserted for the purpose.</li>
 * </ul>
 *
 * <p>One collection at a time across the nodes that share the database ({@link CollectionLease}), renewed at every
 * batch; losing it (expired and taken over, or paused) stops the run as failed. The lease saves work; safety does not
 * depend on it. Blocking: runs on a worker thread.
 */
public final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    static final int BATCH = 200;
    /**
     * After each batch the collector rests as long as the batch took (at most a second): a collection then takes at
     * most about half of one core and of the disk's attention, and the requests served meanwhile keep the rest. On a
     * shared 2-core machine, without the rests, manifest and blob GET p99 were about 4 times as high during a
     * collection of 120,000 blobs as before and after it while the collection kept the server's CPU 0.2-0.3 cores
     * busier; with them, on a quiet machine, p99 was 1.35-1.5 times as high (about 2 ms more, bench/run --only gc,
     * bench/README.md), and 1.29 (manifest GET) and 1.16 (blob GET) once the repair became one listing beside the rows.
     * Resting twice as long did not lower it measurably (1.03 and 1.41 in a run on a busier machine) and doubled the
     * run. The run takes longer, which nobody waits for.
     */
    static final double REST_PER_WORK = 1.0;
    private static final long LONGEST_REST_NANOS = 1_000_000_000L;
    static final Duration LEASE = Duration.ofSeconds(60);

    /** What {@link #collect} did. */
    public sealed interface Outcome {
    }

    /** The run happened; its report (status done or failed). */
    public record Finished(CollectionRun run) implements Outcome {
    }

    /** No run: another one holds the lease, or collections are paused. */
    public record Refused(String reason) implements Outcome {
    }

    private final BlobGarbage garbage;
    private final CollectionLease lease;
    private final CollectionRuns runs;
    private final BlobStore store;
    private final BlobIndex blobIndex;
    private final Duration gracePeriod;
    private final Clock clock;
    private final String holder;
    private final AtomicBoolean running = new AtomicBoolean();

    public Collector(BlobGarbage garbage, CollectionLease lease, CollectionRuns runs, BlobStore store,
                     BlobIndex blobIndex, Duration gracePeriod, Clock clock, String holder) {
        this.garbage = garbage;
        this.lease = lease;
        this.runs = runs;
        this.store = store;
        this.blobIndex = blobIndex;
        this.gracePeriod = gracePeriod;
        this.clock = clock;
        this.holder = holder;
    }

    /** Runs one collection now, or says why not. Blocking. */
    public Outcome collect(boolean dryRun) {
        return collect(dryRun, id -> { });
    }

    /** As {@link #collect(boolean)}; {@code started} learns the run's id as soon as it is recorded. */
    public Outcome collect(boolean dryRun, LongConsumer started) {
        if (!running.compareAndSet(false, true)) {
            return new Refused("a garbage collection is already running on this node");
        }
        try {
            CollectionLease.Outcome taken = lease.acquire(holder, LEASE);
            if (taken instanceof CollectionLease.Held held) {
                return new Refused("a garbage collection is already running (" + held.holder() + " holds the lease until "
                        + held.until() + ")");
            }
            if (taken instanceof CollectionLease.Paused) {
                return new Refused("garbage collection is paused (POST /api/v1/admin/gc/resume resumes it)");
            }
            try {
                return new Finished(run(dryRun, started));
            } finally {
                lease.release(holder);
            }
        } finally {
            running.set(false);
        }
    }

    public CollectionLease lease() {
        return lease;
    }

    public CollectionRuns runs() {
        return runs;
    }

    private CollectionRun run(boolean dryRun, LongConsumer started) {
        Instant startedAt = clock.instant();
        long id = runs.start(holder, dryRun, startedAt);
        started.accept(id);
        Run run = new Run(dryRun, startedAt.toEpochMilli() - gracePeriod.toMillis());
        Optional<String> error = Optional.empty();
        try {
            run.blobs();
            run.links();
        } catch (LeaseLost e) {
            error = Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("garbage collection {} failed", id, e);
            error = Optional.of(String.valueOf(e));
        }
        CollectionRun report = new CollectionRun(id, startedAt, Optional.of(clock.instant()), dryRun,
                error.isPresent() ? CollectionRun.Status.FAILED : CollectionRun.Status.DONE, run.examined, run.deleted,
                run.bytes, run.links, run.orphans, run.missing,
                List.of(new CollectionRun.Phase("mark", Duration.ofNanos(run.markNanos)),
                        new CollectionRun.Phase("sweep", Duration.ofNanos(run.sweepNanos)),
                        new CollectionRun.Phase("repair", Duration.ofNanos(run.repairNanos))), error);
        runs.finish(report);
        LOG.info("garbage collection {}{}: {} blobs examined, {} deleted ({} bytes), {} links deleted, {} orphan files"
                        + " deleted, {} missing files{}", id, dryRun ? " (dry run)" : "", report.blobsExamined(),
                report.blobsDeleted(), report.bytesFreed(), report.linksDeleted(), report.orphanFilesDeleted(),
                report.missingFiles(), error.map(e -> "; " + e).orElse(""));
        return report;
    }

    private static final class LeaseLost extends RuntimeException {
        LeaseLost(String message) {
            super(message, null, false, false);
        }
    }

    /** One run's progress. */
    private final class Run {
        final boolean dryRun;
        final long cutoff;
        long examined;
        long deleted;
        long bytes;
        long links;
        long orphans;
        long missing;
        long markNanos;
        long sweepNanos;
        long repairNanos;
        long renewedAt = System.nanoTime();
        long rested;

        /** Rests {@link #REST_PER_WORK} times the time since {@code workStart}; returns how long it rested. */
        long rest(long workStart) {
            long nanos = Math.min(LONGEST_REST_NANOS, (long) ((System.nanoTime() - workStart) * REST_PER_WORK));
            if (nanos <= 0) {
                return 0;
            }
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseLost("interrupted");
            }
            rested += nanos;
            return nanos;
        }

        Run(boolean dryRun, long cutoff) {
            this.dryRun = dryRun;
            this.cutoff = cutoff;
        }

        /** Keeps the lease at every batch (a write at most every third of its lifetime); stops when it is lost. */
        void renewLease() {
            if (System.nanoTime() - renewedAt < LEASE.toNanos() / 3) {
                return;
            }
            if (!lease.renew(holder, LEASE)) {
                throw new LeaseLost(lease.paused() ? "paused by an operator before it finished"
                        : "lost the lease to another collector before it finished");
            }
            renewedAt = System.nanoTime();
        }

        /**
         * Pages through the blob rows in digest order while walking the store's listing, also in digest order, beside
         * them: a row without bytes is a missing file (reported), bytes without a row an orphan (deleted once older
         * than the grace period). One listing replaces a stat per row, which on an object store would be a request
         * per blob. The listing is not a snapshot: what it seems to say is confirmed before anything is done — a
         * missing file by a stat, an orphan under a {@code deleting} row that only an absent row lets in.
         */
        void blobs() {
            try (Stream<BlobStore.StoredFile> listing = store.files()) {
                Listing files = new Listing(listing.iterator());
                String after = "";
                for (;;) {
                    long start = System.nanoTime();
                    List<BlobGarbage.BlobRow> page = garbage.page(after, BATCH);
                    if (page.isEmpty()) {
                        markNanos += System.nanoTime() - start;
                        remainingOrphans(files);
                        return;
                    }
                    after = page.get(page.size() - 1).digest().toString();
                    renewLease();
                    examined += page.size();
                    List<Digest> candidates = new ArrayList<>();
                    for (BlobGarbage.BlobRow row : page) {
                        if (row.garbage(cutoff)) {
                            candidates.add(row.digest());
                        }
                    }
                    long checked = System.nanoTime();
                    markNanos += checked - start;
                    List<BlobStore.StoredFile> unmatched = new ArrayList<>();
                    for (BlobGarbage.BlobRow row : page) {
                        boolean listed = files.skipTo(row.digest().toString(), unmatched);
                        if (!listed && row.referenced() && !row.deleting()) {
                            checkMissing(row.digest());
                        }
                    }
                    repairNanos += System.nanoTime() - checked;
                    long marking = System.nanoTime();
                    if (dryRun) {
                        deleted += candidates.size();
                        for (BlobGarbage.BlobRow row : page) {
                            bytes += row.garbage(cutoff) ? row.size() : 0;
                        }
                    } else {
                        BlobGarbage.Marked marked = garbage.mark(candidates, cutoff);
                        links += marked.linksDeleted();
                        if (!marked.digests().isEmpty()) {
                            blobIndex.forget(new HashSet<>(marked.digests()));
                        }
                        long swept = System.nanoTime();
                        markNanos += swept - marking;
                        BlobGarbage.Swept result = garbage.sweep(marked.digests(), this::deleteFile);
                        deleted += result.blobs();
                        bytes += result.bytes();
                        sweepNanos += System.nanoTime() - swept;
                    }
                    long repairing = System.nanoTime();
                    deleteOrphans(unmatched);
                    repairNanos += System.nanoTime() - repairing;
                    rest(start);
                }
            }
        }

        /** A blob that a manifest references must have its bytes: one that does not is reported, never deleted. */
        void checkMissing(Digest digest) {
            if (store.stat(digest).isEmpty()) {
                missing++;
                LOG.error("blob {} is referenced by a manifest but its file is missing from the blob store:"
                        + " pulls of it fail until the file is restored or the manifest re-pushed", digest);
            }
        }

        /** The listing past the last row: bytes with no row at all, in batches with rests between them. */
        void remainingOrphans(Listing files) {
            while (files.hasNext()) {
                long start = System.nanoTime();
                List<BlobStore.StoredFile> batch = new ArrayList<>(BATCH);
                while (files.hasNext() && batch.size() < BATCH) {
                    batch.add(files.next());
                }
                renewLease();
                deleteOrphans(batch);
                repairNanos += System.nanoTime() - start;
                rest(start);
            }
        }

        /**
         * Deletes the bytes that had no row when listed, once older than the grace period: each under a
         * {@code deleting} row inserted for the purpose, which fails if a row appeared meanwhile (an upload's
         * reservation comes before its bytes), so that an upload's bytes are never the ones deleted.
         */
        void deleteOrphans(List<BlobStore.StoredFile> unmatched) {
            for (BlobStore.StoredFile file : unmatched) {
                if (file.modified().toEpochMilli() >= cutoff) {
                    continue;
                }
                if (dryRun || garbage.deleteOrphanFile(file.digest(), store::delete, clock.millis())) {
                    orphans++;
                    bytes += file.size();
                }
            }
        }

        long deleteFile(Digest digest) {
            long size = store.stat(digest).map(BlobStore.BlobStat::size).orElse(0L);
            return store.delete(digest) ? size : 0;
        }

        void links() {
            long start = System.nanoTime();
            long rests = 0;
            BlobGarbage.Link after = BlobGarbage.Link.FIRST;
            long batch = System.nanoTime();
            for (List<BlobGarbage.Link> page; !(page = garbage.staleLinks(after, cutoff, BATCH)).isEmpty();
                 after = page.get(page.size() - 1), rests += rest(batch), batch = System.nanoTime()) {
                renewLease();
                if (dryRun) {
                    links += page.size();
                    continue;
                }
                links += garbage.deleteLinks(page, cutoff);
                Set<Digest> digests = new HashSet<>();
                page.forEach(link -> digests.add(link.digest()));
                blobIndex.forget(digests);
            }
            sweepNanos += System.nanoTime() - start - rests;
        }
    }

    /** The store's listing in digest order, walked beside the rows. */
    static final class Listing {
        private final Iterator<BlobStore.StoredFile> files;
        private BlobStore.StoredFile next;

        Listing(Iterator<BlobStore.StoredFile> files) {
            this.files = files;
            this.next = files.hasNext() ? files.next() : null;
        }

        /**
         * Moves past every listed blob before {@code digest}, adding them to {@code unmatched}; true when
         * {@code digest} itself is listed (and moves past it too).
         */
        boolean skipTo(String digest, List<BlobStore.StoredFile> unmatched) {
            while (next != null) {
                int order = next.digest().toString().compareTo(digest);
                if (order > 0) {
                    return false;
                }
                BlobStore.StoredFile file = next();
                if (order == 0) {
                    return true;
                }
                unmatched.add(file);
            }
            return false;
        }

        boolean hasNext() {
            return next != null;
        }

        BlobStore.StoredFile next() {
            BlobStore.StoredFile file = next;
            next = files.hasNext() ? files.next() : null;
            return file;
        }
    }
}
