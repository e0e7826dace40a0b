package io.berth.server.scrub;

import io.berth.server.meta.ScrubRecords;
import io.berth.oci.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One scrub's report, updated while it runs: what it checked and what it found. The node running it saves it to
 * {@link ScrubRecords} as it goes; the others read it from there ({@link #of}).
 */
public final class ScrubRun {
    private final long id;
    private final String node;
    private final Instant startedAt;
    private Instant finishedAt;
    private long blobsChecked;
    private long bytesChecked;
    private long corruptCount;
    private long missingCount;
    private final List<String> corrupt = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private String error;

    ScrubRun(long id, String node, Instant startedAt) {
        this.id = id;
        this.node = node;
        this.startedAt = startedAt;
    }

    /** A run as recorded, by this node or another. */
    static ScrubRun of(ScrubRecords.Stored stored) {
        ScrubRun run = new ScrubRun(stored.id(), stored.node(), stored.startedAt());
        run.finishedAt = stored.finishedAt().orElse(null);
        run.blobsChecked = stored.blobsChecked();
        run.bytesChecked = stored.bytesChecked();
        run.corruptCount = stored.corruptCount();
        run.missingCount = stored.missingCount();
        run.corrupt.addAll(stored.corruptDigests());
        run.missing.addAll(stored.missingDigests());
        run.error = stored.error().orElse(null);
        return run;
    }

    /** What is saved of it now. */
    synchronized ScrubRecords.Stored stored() {
        return new ScrubRecords.Stored(id, node, startedAt, Optional.ofNullable(finishedAt), blobsChecked, bytesChecked,
                corruptCount, missingCount, List.copyOf(corrupt), List.copyOf(missing), Optional.ofNullable(error));
    }

    /** The node that ran it. */
    public String node() {
        return node;
    }

    synchronized void checked(long bytes) {
        blobsChecked++;
        bytesChecked += bytes;
    }

    synchronized void corrupt(Digest digest) {
        corruptCount++;
        if (corrupt.size() < Scrubber.LISTED) {
            corrupt.add(digest.toString());
        }
    }

    synchronized void missing(Digest digest) {
        missingCount++;
        if (missing.size() < Scrubber.LISTED) {
            missing.add(digest.toString());
        }
    }

    synchronized void finish(Instant at, Optional<String> failure) {
        finishedAt = at;
        error = failure.orElse(null);
    }

    public long id() {
        return id;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public synchronized Optional<Instant> finishedAt() {
        return Optional.ofNullable(finishedAt);
    }

    /** {@code running}, {@code done} or {@code failed}. */
    public synchronized String status() {
        return finishedAt == null ? "running" : error == null ? "done" : "failed";
    }

    public synchronized long blobsChecked() {
        return blobsChecked;
    }

    public synchronized long bytesChecked() {
        return bytesChecked;
    }

    public synchronized long corruptCount() {
        return corruptCount;
    }

    public synchronized long missingCount() {
        return missingCount;
    }

    /** The first corrupt blobs found (quarantined). */
    public synchronized List<String> corruptDigests() {
        return List.copyOf(corrupt);
    }

    /** The first blobs found without their file. */
    public synchronized List<String> missingDigests() {
        return List.copyOf(missing);
    }

    public synchronized Optional<String> error() {
        return Optional.ofNullable(error);
    }
}
