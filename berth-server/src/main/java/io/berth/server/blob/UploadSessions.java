package io.berth.server.blob;

import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.Repository;
import io.berth.server.meta.BlobIndex;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Blob upload sessions: start, append a stream, finish into a verified blob, cancel. Sessions live in the database
 * and their bytes in the {@link BlobStore}, so they survive a restart; the running SHA-256 of each session is kept
 * in memory and rebuilt from the bytes on disk when it is missing (after a restart, on another node, or after a
 * failed append). One writer at a time per session.
 *
 * <p>Methods marked blocking must run off the event loop; {@link #append} runs on it.
 */
public final class UploadSessions {
    private final Vertx vertx;
    private final BlobStore store;
    private final UploadIndex uploads;
    private final BlobIndex blobs;
    private final Clock clock;
    private final ConcurrentMap<UUID, Progress> progress = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder purged = new LongAdder();

    /**
     * Sessions since the start of this process: started, completed (a blob made), failed (the bytes did not match
     * the digest, or could not be committed), cancelled by the client, purged as stale. The metrics report them.
     */
    public record Counts(long started, long completed, long failed, long cancelled, long purged) {
    }

    public UploadSessions(Vertx vertx, BlobStore store, UploadIndex uploads, BlobIndex blobs, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.uploads = uploads;
        this.blobs = blobs;
        this.clock = clock;
    }

    /** The running hash of one session and how many bytes it covers; claimed by one writer at a time. */
    public static final class Progress {
        private final UUID id;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private MessageDigest sha256;
        private long length = -1;

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

    /** Blocking: opens a new session. */
    public Upload start(Repository repository) {
        Upload upload = new Upload(UUID.randomUUID(), repository, clock.instant());
        store.createUpload(upload.id());
        uploads.create(upload);
        started.increment();
        return upload;
    }

    /** Blocking: opens a new session, already claimed by the caller (a single-request push). */
    public Progress startClaimed(Repository repository) {
        Progress p = progress.computeIfAbsent(start(repository).id(), Progress::new);
        p.claimed.set(true);
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

    /** The session's row, which must belong to {@code repository}; its bytes are not looked at. */
    private Upload owned(Repository repository, UUID id) {
        return uploads.upload(id).filter(u -> u.repository().equals(repository)).orElseThrow(() -> unknown(id));
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
                .onFailure(e -> p.sha256 = null);
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
     * the session's repository and ends the session. A mismatch ends the session with {@code DIGEST_INVALID}.
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
                    // Before the bytes become the blob's file: a live row that no garbage collection will mark while
                    // this session completes it (see io.berth.server.gc.Collector).
                    blobs.reserveForUpload(id, expected, length(id), store::delete);
                }
                blob = store.commit(id, expected, actual);
            } catch (RuntimeException e) {
                uploads.delete(id);
                progress.remove(id);
                failed.increment();
                throw e;
            }
            try {
                blobs.linkUploaded(repository, expected, blob.size(), id);
            } finally {
                progress.remove(id);
            }
            completed.increment();
            return blob;
        } finally {
            release(claimed);
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
     * Blocking: ends every session started more than {@code maxAge} ago and discards its bytes, so that abandoned
     * uploads do not fill the disk (CNCF Distribution purges them likewise). Returns how many were purged.
     */
    public int purgeStale(Duration maxAge) {
        int purged = 0;
        for (List<UUID> batch; !(batch = uploads.startedBefore(clock.instant().minus(maxAge), 500)).isEmpty(); ) {
            for (UUID id : batch) {
                uploads.delete(id);
                store.cancel(id);
                progress.remove(id);
                this.purged.increment();
                purged++;
            }
        }
        return purged;
    }

    /** Blocking: how many sessions are open now, in the database (so also those of other nodes and earlier runs). */
    public long open() {
        return uploads.count();
    }

    public Counts counts() {
        return new Counts(started.sum(), completed.sum(), failed.sum(), cancelled.sum(), purged.sum());
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
