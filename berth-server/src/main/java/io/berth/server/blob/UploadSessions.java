package io.berth.server.blob;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.berth.server.meta.BlobIndex;
import io.berth.server.meta.QuotaExceededException;
import io.berth.server.meta.UploadIndex;
import io.berth.server.meta.UploadIndex.Upload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob upload sessions: start, append a stream, finish into a verified blob, cancel. Sessions live in the database
 * and their bytes in the {@link BlobStore}, so they survive a restart; the running SHA-256 of each session is kept
 * in memory and rebuilt from the bytes on disk when it is missing (after a restart, on another node, or after a
 * failed append). One writer at a time per session.
 *
 * <p>Methods marked blocking must run off the event loop; {@link #append} runs on it.
 *
 * <p>Expiry ({@link #expire}): a session that no request touched for {@code uploads.expireAfter} is ended with its
 * bytes. A request touches a session when it finds or claims it ({@link #find}, {@link #claim}), writing
 * {@code touched_at} when the stored one is older than {@link UploadsConfig#touchPeriod}. Why a sweep never ends a
 * session a request is using:
 * <ul>
 *   <li>the sweep deletes a row only if it is still untouched since the cutoff ({@link UploadIndex#deleteIfUntouchedSince}),
 *       and removes the bytes only after that delete succeeded;</li>
 *   <li>a session the sweep may choose is untouched for the whole expiry, far longer than the touch period, so a
 *       request for it always writes its touch before using its bytes, and takes a touch that finds no row as
 *       {@code BLOB_UPLOAD_UNKNOWN}: either the touch comes first and the sweep's conditional delete does nothing,
 *       or the delete comes first and the request gets the 404 before writing a byte;</li>
 *   <li>a request that runs longer than the expiry (a huge PATCH on a slow link) holds its claim, and the sweep skips
 *       claimed sessions of this process; it touches the session again when it ends. (Another node sharing the
 *       database cannot see that claim: there a request would have to outlast the expiry, a day by default.)</li>
 * </ul>
 */
public final class UploadSessions {
    private static final Logger LOG = LoggerFactory.getLogger(UploadSessions.class);
    private static final int EXPIRY_BATCH = 500;
    private final Vertx vertx;
    private final BlobStore store;
    private final UploadIndex uploads;
    private final BlobIndex blobs;
    private final Clock clock;
    private final UploadsConfig config;
    private final ConcurrentMap<UUID, Progress> progress = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder orphanFiles = new LongAdder();
    private final LongAdder expiredBytes = new LongAdder();

    /**
     * Sessions since the start of this process: started, completed (a blob made), failed (the bytes did not match
     * the digest, or could not be committed), cancelled by the client, expired (untouched for
     * {@code uploads.expireAfter}); and upload files removed without a session, and the bytes expiry freed. The
     * metrics report them.
     */
    public record Counts(long started, long completed, long failed, long cancelled, long expired, long orphanFiles,
                         long expiredBytes) {
    }

    /**
     * What one expiry sweep removed.
     *
     * @param sessions    sessions untouched for the expiry, ended with their bytes
     * @param orphanFiles upload files without a session, older than the expiry
     * @param bytes       the bytes of both
     */
    public record Expiry(int sessions, int orphanFiles, long bytes) {
        public boolean isEmpty() {
            return sessions == 0 && orphanFiles == 0;
        }
    }

    /** With the default expiry (a day). */
    public UploadSessions(Vertx vertx, BlobStore store, UploadIndex uploads, BlobIndex blobs, Clock clock) {
        this(vertx, store, uploads, blobs, clock, UploadsConfig.DEFAULT);
    }

    public UploadSessions(Vertx vertx, BlobStore store, UploadIndex uploads, BlobIndex blobs, Clock clock,
                          UploadsConfig config) {
        this.vertx = vertx;
        this.store = store;
        this.uploads = uploads;
        this.blobs = blobs;
        this.clock = clock;
        this.config = config;
    }

    /** The running hash of one session and how many bytes it covers; claimed by one writer at a time. */
    public static final class Progress {
        private final UUID id;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private MessageDigest sha256;
        private long length = -1;
        /** When the current claim was taken: a request that held it longer than the touch period touches again. */
        private volatile Instant claimedAt = Instant.EPOCH;

        private Progress(UUID id) {
            this.id = id;
        }

        public UUID id() {
            return id;
        }

        public long length() {
            return length;
        }
    }

    /**
     * Blocking: opens a new session. The file comes first (a row without a file would be a session that cannot take a
     * byte); when the row cannot be written (a full disk, a database that does not answer) the file goes again, and
     * if even that fails, the expiry finds it as a file without a session.
     */
    public Upload start(Repository repository) {
        Upload upload = new Upload(UUID.randomUUID(), repository, clock.instant());
        store.createUpload(upload.id());
        try {
            uploads.create(upload);
        } catch (RuntimeException e) {
            try {
                store.cancel(upload.id());
            } catch (RuntimeException removal) {
                e.addSuppressed(removal);
            }
            throw e;
        }
        started.increment();
        return upload;
    }

    /** Blocking: opens a new session, already claimed by the caller (a single-request push). */
    public Progress startClaimed(Repository repository) {
        Progress p = progress.computeIfAbsent(start(repository).id(), Progress::new);
        p.claimed.set(true);
        p.claimedAt = clock.instant();
        p.sha256 = Digest.Algorithm.SHA256.newMessageDigest();
        p.length = 0;
        return p;
    }

    /** Blocking: the session, which must belong to {@code repository}; else {@code BLOB_UPLOAD_UNKNOWN}. */
    public Upload find(Repository repository, UUID id) {
        Upload upload = owned(repository, id);
        length(id);
        return upload;
    }

    /**
     * The session's row, which must belong to {@code repository}, touched for this request; its bytes are not looked
     * at. A touch that finds the row gone means an expiry sweep ended the session meanwhile.
     */
    private Upload owned(Repository repository, UUID id) {
        Upload upload = uploads.upload(id).filter(u -> u.repository().equals(repository)).orElseThrow(() -> unknown(id));
        Instant now = clock.instant();
        if (upload.touchedAt().isBefore(now.minus(config.touchPeriod())) && !uploads.touch(id, now)) {
            throw unknown(id);
        }
        return upload;
    }

    /** Blocking: bytes received so far. */
    public long length(UUID id) {
        return store.uploadedLength(id).orElseThrow(() -> unknown(id));
    }

    private static RuntimeException unknown(UUID id) {
        return ErrorCode.BLOB_UPLOAD_UNKNOWN.exception("upload " + id + " is unknown");
    }

    /**
     * Blocking: claims the session for one writer and brings its hash up to date with the bytes on disk.
     * Fails with {@code BLOB_UPLOAD_INVALID} while another request writes to it. Pair with {@link #release}.
     */
    public Progress claim(Repository repository, UUID id) {
        owned(repository, id);
        long onDisk = length(id);
        Progress p = progress.computeIfAbsent(id, Progress::new);
        if (!p.claimed.compareAndSet(false, true)) {
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception("another request is writing to upload " + id);
        }
        p.claimedAt = clock.instant();
        try {
            if (p.sha256 == null || p.length != onDisk) {
                p.sha256 = onDisk == 0 ? Digest.Algorithm.SHA256.newMessageDigest() : rehash(id, Digest.Algorithm.SHA256);
                p.length = onDisk;
            }
            return p;
        } catch (RuntimeException e) {
            release(p);
            throw e;
        }
    }

    public void release(Progress p) {
        p.claimed.set(false);
    }

    /**
     * On the event loop: appends {@code body} to the claimed session, hashing as it streams, with back-pressure.
     * Completes with the session's new length. On failure the hash is dropped and rebuilt on the next claim. The
     * claim stays with the caller either way: release it, or pass it on to {@link #finish}.
     */
    public Future<Long> append(Progress p, ReadStream<Buffer> body) {
        return vertx.fileSystem().open(store.uploadPath(p.id).toString(), new OpenOptions().setWrite(true).setCreate(false))
                .compose(file -> {
                    file.setWritePos(p.length);
                    HashingWriteStream target = new HashingWriteStream(file, p.sha256);
                    return body.pipeTo(target).map(v -> p.length += target.written());
                })
                .onFailure(e -> p.sha256 = null)
                .onComplete(done -> touchAfterLongRequest(p));
    }

    /**
     * A request that streamed longer than the touch period ends by touching its session again, so that the session's
     * idle time counts from the end of the request rather than from its start. Off the event loop; a failure only
     * makes the session look idle since the request began.
     */
    private void touchAfterLongRequest(Progress p) {
        Instant now = clock.instant();
        if (p.claimedAt.isBefore(now.minus(config.touchPeriod()))) {
            vertx.executeBlocking(() -> uploads.touch(p.id, now), false)
                    .onFailure(e -> LOG.warn("touching upload {} after a long request failed: {}", p.id, e.toString()));
        }
    }

    /**
     * Blocking: appends {@code bytes}, a body small enough to have been read whole, to the claimed session, hashing
     * them; returns the session's new length. When the write fails, the session's hash and length stay as they were:
     * the next claim finds more bytes on disk than it covers and rehashes them. The claim stays with the caller.
     */
    public long write(Progress p, byte[] bytes) {
        try (FileChannel file = FileChannel.open(store.uploadPath(p.id), StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            for (long at = p.length; buffer.hasRemaining(); ) {
                at += file.write(buffer, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to upload " + p.id, e);
        }
        p.sha256.update(bytes);
        return p.length += bytes.length;
    }

    /**
     * Blocking: verifies the session's bytes against {@code expected}, makes them a durable blob, links it into
     * the session's repository and ends the session. A mismatch ends the session with {@code DIGEST_INVALID}, a blob
     * over a quota of the repository with {@link QuotaExceededException}.
     *
     * @param p the claimed progress, or empty to claim it here
     */
    public BlobStore.LocalBlob finish(Repository repository, UUID id, Digest expected, Optional<Progress> p) {
        Progress claimed = p.orElseGet(() -> claim(repository, id));
        try {
            Digest actual = expected.algorithm() == Digest.Algorithm.SHA256
                    ? Digest.of(Digest.Algorithm.SHA256, claimed.sha256.digest())
                    : Digest.of(expected.algorithm(), rehash(id, expected.algorithm()).digest());
            claimed.sha256 = null;
            BlobStore.LocalBlob blob;
            try {
                if (expected.equals(actual)) {
                    // Before the bytes become a blob: a push over a quota ends here, with nothing to collect later.
                    blobs.admit(repository, expected, claimed.length);
                    // Before the bytes become the blob's file: a live row that no garbage collection will mark while
                    // this session completes it (see io.berth.server.gc.Collector).
                    blobs.reserveForUpload(id, expected, length(id), store::delete);
                }
                blob = store.commit(id, expected, actual);
            } catch (RuntimeException e) {
                progress.remove(id);
                failed.increment();
                discard(id, e);
                throw e;
            }
            try {
                blobs.linkUploaded(repository, expected, blob.size(), id);
            } catch (QuotaExceededException e) {
                // A concurrent push filled the quota since the check above: the session ends, and the unlinked blob
                // is garbage for the next collection after its grace period.
                uploads.delete(id);
                failed.increment();
                throw e;
            } finally {
                progress.remove(id);
            }
            completed.increment();
            return blob;
        } finally {
            release(claimed);
        }
    }

    /**
     * Ends a session whose request failed and whose client cannot know it (a push in one request): its row and its
     * bytes go now, not at the expiry. What cannot be removed now (a database that does not answer) the expiry finds.
     */
    public void abandon(Progress p, Throwable failure) {
        progress.remove(p.id);
        release(p);
        discard(p.id, failure);
    }

    /** Removes a failed session's row, then its bytes; a failure of either is added to {@code failure}. */
    private void discard(UUID id, Throwable failure) {
        try {
            uploads.delete(id);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        try {
            store.cancel(id);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Blocking: ends the session and discards its bytes. */
    public void cancel(Repository repository, UUID id) {
        find(repository, id);
        uploads.delete(id);
        store.cancel(id);
        progress.remove(id);
        cancelled.increment();
    }

    /**
     * Blocking: ends every session no request touched for {@code uploads.expireAfter} and removes its bytes, then
     * removes the upload files that have no session and were last written longer ago than
     * {@link UploadsConfig#orphanAfter} (what a start or finish that failed between file and row, or a crash, leaves
     * behind; a start writes its row within that time after its file, so a sweep never takes a file being started), so that abandoned uploads do not fill the disk. A
     * session whose request this process is serving is left alone however long the request takes. Later requests for
     * an expired session get {@code BLOB_UPLOAD_UNKNOWN}.
     */
    public Expiry expire() {
        Instant cutoff = clock.instant().minus(config.expireAfter());
        int sessions = 0;
        long bytes = 0;
        Set<UUID> skipped = new HashSet<>();
        for (List<UUID> batch; !(batch = expirable(cutoff, skipped)).isEmpty(); ) {
            for (UUID id : batch) {
                Progress p = progress.get(id);
                if (p != null && p.claimed.get() || !uploads.deleteIfUntouchedSince(id, cutoff)) {
                    skipped.add(id); // in use here, or touched since the batch was read
                    continue;
                }
                long length = store.uploadedLength(id).orElse(0L);
                store.cancel(id);
                progress.remove(id);
                sessions++;
                bytes += length;
            }
        }
        int orphans = 0;
        Instant orphanCutoff = clock.instant().minus(config.orphanAfter());
        for (BlobStore.UploadFile file : store.uploadFiles()) {
            if (file.modified().isBefore(orphanCutoff) && uploads.upload(file.upload()).isEmpty()
                    && !progress.containsKey(file.upload())) {
                store.cancel(file.upload());
                orphans++;
                bytes += file.size();
            }
        }
        expired.add(sessions);
        orphanFiles.add(orphans);
        expiredBytes.add(bytes);
        return new Expiry(sessions, orphans, bytes);
    }

    /** The next sessions untouched since {@code cutoff}, past those this sweep skipped already. */
    private List<UUID> expirable(Instant cutoff, Set<UUID> skipped) {
        List<UUID> batch = uploads.untouchedSince(cutoff, EXPIRY_BATCH + skipped.size());
        return batch.stream().filter(id -> !skipped.contains(id)).limit(EXPIRY_BATCH).toList();
    }

    public UploadsConfig config() {
        return config;
    }

    /** Blocking: how many sessions are open now, in the database (so also those of other nodes and earlier runs). */
    public long open() {
        return uploads.count();
    }

    public Counts counts() {
        return new Counts(started.sum(), completed.sum(), failed.sum(), cancelled.sum(), expired.sum(),
                orphanFiles.sum(), expiredBytes.sum());
    }

    private MessageDigest rehash(UUID id, Digest.Algorithm algorithm) {
        MessageDigest digest = algorithm.newMessageDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(store.uploadPath(id))) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read upload " + id, e);
        }
        return digest;
    }
}
