package io.berth.server.scrub;

import io.berth.oci.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One scrub's report, updated while it runs: what it checked and what it found. */
public final class ScrubRun {
    private final long id;
    private final Instant startedAt;
    private Instant finishedAt;
    private long blobsChecked;
    private long bytesChecked;
    private long corruptCount;
    private long missingCount;
    private final List<Digest> corrupt = new ArrayList<>();
    private final List<Digest> missing = new ArrayList<>();
    private String error;

    ScrubRun(long id, Instant startedAt) {
        this.id = id;
        this.startedAt = startedAt;
    }

    synchronized void checked(long bytes) {
        blobsChecked++;
        bytesChecked += bytes;
    }

    synchronized void corrupt(Digest digest) {
        corruptCount++;
        if (corrupt.size() < Scrubber.LISTED) {
            corrupt.add(digest);
        }
    }

    synchronized void missing(Digest digest) {
        missingCount++;
        if (missing.size() < Scrubber.LISTED) {
            missing.add(digest);
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
        return Scrubber.names(corrupt);
    }

    /** The first blobs found without their file. */
    public synchronized List<String> missingDigests() {
        return Scrubber.names(missing);
    }

    public synchronized Optional<String> error() {
        return Optional.ofNullable(error);
    }
}
