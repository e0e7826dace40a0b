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
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob upload sessions: start, append a stream, finish into a verified blob, cancel. This layer owns the protocol
 * (sessions, offsets, digests, hash state, one writer at a time); the {@link BlobStore} driver only stores bytes.
 * Sessions live in the database and their bytes in the driver's storage, so that they survive a restart and so that
 * every PATCH and the final PUT of one upload may land on a different node sharing both.
 *
 * <p>Methods marked blocking must run off the event loop; {@link #append} runs on it.
 *
 * <p><b>One writer per session, across nodes</b>: a request claims the session in its database row
 * ({@link UploadIndex#claim}: a conditional UPDATE that sets a token of the request and a lease of
 * {@link #CLAIM_LEASE}, renewed every third of it while the request runs) and releases it when it ends. A second
 * request, on any node, gets {@code BLOB_UPLOAD_INVALID} meanwhile; a claim whose node died lapses with its lease and
 * the client's retry continues elsewhere. Leases compare the nodes' clocks, which must agree to within seconds.
 *
 * <p><b>The running SHA-256 across nodes</b>: at the end of every append (every PATCH) the hash's state is saved in the
 * session's row with the length it covers, in the same UPDATE that releases the claim ({@link DigestState}: the JDK's
 * digest, whose SHA-NI intrinsics hash at several times the rate of an exportable pure-Java one). A claim takes, in
 * order: the hash this node kept in memory when it covers the stored length (the same node continues: nothing to
 * read); else the saved state when it covers the stored length (another node continues: one small SELECT); else a
 * hash rebuilt by reading the stored bytes back ({@link BlobStore#readUpload}: after a failed append, or where the
 * state cannot be saved). A resumed hash whose digest does not match is rebuilt from the bytes before the upload is
 * refused with {@code DIGEST_INVALID}, so that correctness never rests on the saved state. Measured costs are in
 * docs/storage.md.
 *
 * <p>Expiry ({@link #expire}): a session that no request touched for {@code uploads.expireAfter} is ended with its
 * bytes. A request touches a session when it finds or claims it ({@link #find}, {@link #claim}), and when it releases
 * it. Why a sweep never ends a session a request is using:
 * <ul>
 *   <li>the sweep deletes a row only if it is still untouched since the cutoff ({@link UploadIndex#deleteIfUntouchedSince}),
 *       and removes the bytes only after that delete succeeded;</li>
 *   <li>a session the sweep may choose is untouched for the whole expiry, far longer than the touch period, so a
 *       request for it always writes its touch before using its bytes, and takes a touch that finds no row as
 *       {@code BLOB_UPLOAD_UNKNOWN}: either the touch comes first and the sweep's conditional delete does nothing,
 *       or the delete comes first and the request gets the 404 before writing a byte;</li>
 *   <li>a request that runs longer than the expiry (a huge PATCH on a slow link) holds its claim: the sweep skips
 *       sessions claimed in this process, and a claim's renewal touches the session, so that other nodes' sweeps
 *       see it in use too.</li>
 * </ul>
 */
public final class UploadSessions {
    private static final Logger LOG = LoggerFactory.getLogger(UploadSessions.class);
    private static final int EXPIRY_BATCH = 500;
    /** How long a claim holds without renewal: a node that dies mid-request blocks its session this long at most. */
    public static final Duration CLAIM_LEASE = Duration.ofSeconds(30);
    /** At most this many running hashes are kept in memory (sessions whose last request this node served). */
    private static final int KEPT_HASHES = 10_000;
    private final Vertx vertx;
    private final BlobStore store;
    private final UploadIndex uploads;
    private final BlobIndex blobs;
    private final Clock clock;
    private final UploadsConfig config;
    /** The running hash of sessions whose last request this node served: the fast path when it serves the next. */
    private final ConcurrentMap<UUID, RunningHash> hashes = new ConcurrentHashMap<>();
    /** Sessions a request of this process has claimed: the expiry sweep leaves them alone however old. */
    private final Set<UUID> claimedHere = ConcurrentHashMap.newKeySet();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder orphanFiles = new LongAdder();
    private final LongAdder expiredBytes = new LongAdder();
    private final LongAdder hashesFromMemory = new LongAdder();
    private final LongAdder hashesRestored = new LongAdder();
    private final LongAdder hashesRebuilt = new LongAdder();

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
     * Where claims of this process found the running hash of a session with bytes: kept in memory (this node served
     * the session's last request), restored from the state saved in the database (another node did), or rebuilt by
     * reading the stored bytes back.
     */
    public record HashSources(long fromMemory, long restored, long rebuilt) {
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

    /** A SHA-256 over a session's first {@code length} bytes. */
    private record RunningHash(MessageDigest sha256, long length) {
    }

    /**
     * One request's claim on a session, with the running hash of the bytes stored so far. Held by one request at a
     * time (across nodes); release it ({@link #release}) or pass it on to {@link #finish}.
     */
    public static final class Progress {
        private final UUID id;
        private final String holder;
        private MessageDigest sha256;
        private long length;
        /** The hash came from a saved state, not from this process's own reading or streaming of every byte. */
        private boolean restored;
        private long renewal = -1;

        private Progress(UUID id, String holder) {
            this.id = id;
            this.holder = holder;
        }

        public UUID id() {
            return id;
        }

        public long length() {
            return length;
        }
    }

    /**
     * Blocking: opens a new session. The storage comes first (a row without it would be a session that cannot take a
     * byte); when the row cannot be written (a full disk, a database that does not answer) the storage goes again, and
     * if even that fails, the expiry finds it as an upload without a session.
     */
    public Upload start(Repository repository) {
        return start(repository, Optional.empty());
    }

    private Upload start(Repository repository, Optional<String> holder) {
        Upload upload = new Upload(UUID.randomUUID(), repository, clock.instant());
        store.createUpload(upload.id());
        try {
            if (holder.isPresent()) {
                uploads.createClaimed(upload, holder.get(), upload.startedAt().plus(CLAIM_LEASE));
            } else {
                uploads.create(upload);
            }
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
        String holder = UUID.randomUUID().toString();
        Progress p = new Progress(start(repository, Optional.of(holder)).id(), holder);
        p.sha256 = Digest.Algorithm.SHA256.newMessageDigest();
        return held(p);
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
     * Blocking: claims the session for one writer (in the database, so across nodes) and brings its hash up to date
     * with the stored bytes. Fails with {@code BLOB_UPLOAD_INVALID} while another request, here or on another node,
     * writes to it. Pair with {@link #release}.
     */
    public Progress claim(Repository repository, UUID id) {
        Upload upload = uploads.upload(id).filter(u -> u.repository().equals(repository)).orElseThrow(() -> unknown(id));
        Progress p = new Progress(upload.id(), UUID.randomUUID().toString());
        Instant now = clock.instant();
        if (!uploads.claim(id, p.holder, now, now.plus(CLAIM_LEASE))) {
            owned(repository, id); // gone meanwhile: unknown
            throw ErrorCode.BLOB_UPLOAD_INVALID.exception("another request is writing to upload " + id);
        }
        held(p);
        try {
            long stored = length(id);
            p.length = stored;
            RunningHash kept = hashes.remove(id);
            if (kept != null && kept.length() == stored) {
                p.sha256 = kept.sha256();
                hashesFromMemory.increment();
            } else if (stored == 0) {
                p.sha256 = Digest.Algorithm.SHA256.newMessageDigest();
            } else {
                Optional<MessageDigest> saved = uploads.savedHash(id).filter(h -> h.length() == stored)
                        .flatMap(h -> DigestState.restore(h.state(), stored));
                if (saved.isPresent()) {
                    p.sha256 = saved.get();
                    p.restored = true;
                    hashesRestored.increment();
                } else {
                    p.sha256 = rehash(id, Digest.Algorithm.SHA256);
                    hashesRebuilt.increment();
                }
            }
            return p;
        } catch (RuntimeException e) {
            release(p);
            throw e;
        }
    }

    /** Marks the claim as this process's and renews its lease every third of it while it is held. */
    private Progress held(Progress p) {
        claimedHere.add(p.id);
        long every = Math.max(1, CLAIM_LEASE.toMillis() / 3);
        p.renewal = vertx.setPeriodic(every, timer -> vertx.executeBlocking(() -> {
            Instant now = clock.instant();
            if (!uploads.renew(p.id, p.holder, now, now.plus(CLAIM_LEASE))) {
                LOG.warn("the claim on upload {} lapsed while a request was writing to it (a pause longer than {}):"
                        + " another request may write to it too; its digest check refuses what does not match",
                        p.id, CLAIM_LEASE);
                vertx.cancelTimer(timer);
            }
            return null;
        }, false).onFailure(e -> LOG.warn("renewing the claim on upload {} failed: {}", p.id, e.toString())));
        return p;
    }

    private void letGo(Progress p) {
        if (p.renewal >= 0) {
            vertx.cancelTimer(p.renewal);
            p.renewal = -1;
        }
        claimedHere.remove(p.id);
    }

    /**
     * Blocking: ends the claim, saving the running hash with the length it covers when the last write stored every
     * byte it hashed (in the database, for any node, and in memory, for this one), and touching the session.
     */
    public void release(Progress p) {
        letGo(p);
        Optional<UploadIndex.SavedHash> saved = Optional.empty();
        if (p.sha256 != null) {
            saved = DigestState.export(p.sha256).map(state -> new UploadIndex.SavedHash(p.length, state));
            if (hashes.size() >= KEPT_HASHES) {
                hashes.clear(); // a bound, not a cache policy: the next claims restore or rebuild
            }
            hashes.put(p.id, new RunningHash(p.sha256, p.length));
        }
        uploads.release(p.id, p.holder, clock.instant(), saved);
    }

    /**
     * On the event loop: appends {@code body} to the claimed session through the driver, hashing as it streams, with
     * back-pressure. Completes with the session's new length. On failure the hash is dropped (the stored length is
     * then whatever the driver kept) and rebuilt on the next claim. The claim stays with the caller either way:
     * release it, or pass it on to {@link #finish}.
     */
    public Future<Long> append(Progress p, ReadStream<Buffer> body) {
        return store.append(p.id, p.length)
                .compose(target -> {
                    HashingWriteStream hashing = new HashingWriteStream(target, p.sha256);
                    return body.pipeTo(hashing).map(v -> p.length += hashing.written());
                })
                .onFailure(e -> p.sha256 = null);
    }

    /**
     * Blocking: appends {@code bytes}, a body small enough to have been read whole, to the claimed session, hashing
     * them; returns the session's new length. When the write fails, the hash is dropped and rebuilt by the next claim.
     * The claim stays with the caller.
     */
    public long write(Progress p, byte[] bytes) {
        try {
            store.write(p.id, p.length, bytes);
        } catch (RuntimeException e) {
            p.sha256 = null;
            throw e;
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
    public BlobStore.BlobStat finish(Repository repository, UUID id, Digest expected, Optional<Progress> p) {
        Progress claimed = p.orElseGet(() -> claim(repository, id));
        boolean ended = false;
        try {
            MessageDigest sha256 = claimed.sha256;
            claimed.sha256 = null; // digest() below ends it: never to be saved or kept
            hashes.remove(id);
            Digest actual = actual(claimed, sha256, expected);
            BlobStore.BlobStat blob;
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
                ended = true;
                failed.increment();
                discard(id, e);
                throw e;
            }
            try {
                blobs.linkUploaded(repository, expected, blob.size(), id);
                ended = true;
            } catch (QuotaExceededException e) {
                // A concurrent push filled the quota since the check above: the session ends, and the unlinked blob
                // is garbage for the next collection after its grace period.
                uploads.delete(id);
                ended = true;
                failed.increment();
                throw e;
            }
            completed.increment();
            return blob;
        } finally {
            if (ended) {
                letGo(claimed);
            } else {
                release(claimed); // the session goes on (a database that failed): free it for the client's retry
            }
        }
    }

    /**
     * The digest of the claimed session's bytes in {@code expected}'s algorithm. A SHA-256 restored from a saved state
     * that does not match is computed again from the stored bytes, so that a state saved or restored wrongly can never
     * refuse a good upload.
     */
    private Digest actual(Progress claimed, MessageDigest sha256, Digest expected) {
        if (expected.algorithm() != Digest.Algorithm.SHA256) {
            return Digest.of(expected.algorithm(), rehash(claimed.id, expected.algorithm()).digest());
        }
        Digest actual = Digest.of(Digest.Algorithm.SHA256, sha256.digest());
        if (!actual.equals(expected) && claimed.restored) {
            Digest reread = Digest.of(Digest.Algorithm.SHA256, rehash(claimed.id, Digest.Algorithm.SHA256).digest());
            if (!reread.equals(actual)) {
                LOG.warn("upload {}: the SHA-256 restored from its saved state gave {}, its stored bytes hash to {}",
                        claimed.id, actual, reread);
            }
            return reread;
        }
        return actual;
    }

    /**
     * Ends a session whose request failed and whose client cannot know it (a push in one request): its row and its
     * bytes go now, not at the expiry. What cannot be removed now (a database that does not answer) the expiry finds.
     */
    public void abandon(Progress p, Throwable failure) {
        letGo(p);
        hashes.remove(p.id);
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
        hashes.remove(id);
        cancelled.increment();
    }

    /**
     * Blocking: ends every session no request touched for {@code uploads.expireAfter} and removes its bytes, then
     * removes the uploads in storage that have no session and were last written longer ago than
     * {@link UploadsConfig#orphanAfter} (what a start or finish that failed between storage and row, or a crash, leaves
     * behind; a start writes its row within that time after its storage, so a sweep never takes an upload being
     * started), so that abandoned uploads do not fill the storage. A session a request of this process has claimed is
     * left alone however long the request takes. Later requests for an expired session get {@code BLOB_UPLOAD_UNKNOWN}.
     */
    public Expiry expire() {
        Instant cutoff = clock.instant().minus(config.expireAfter());
        int sessions = 0;
        long bytes = 0;
        Set<UUID> skipped = new HashSet<>();
        for (List<UUID> batch; !(batch = expirable(cutoff, skipped)).isEmpty(); ) {
            for (UUID id : batch) {
                if (claimedHere.contains(id) || !uploads.deleteIfUntouchedSince(id, cutoff)) {
                    skipped.add(id); // in use here, or touched since the batch was read
                    continue;
                }
                long length = store.uploadedLength(id).orElse(0L);
                store.cancel(id);
                hashes.remove(id);
                sessions++;
                bytes += length;
            }
        }
        int orphans = 0;
        Instant orphanCutoff = clock.instant().minus(config.orphanAfter());
        for (BlobStore.UploadFile file : store.uploadFiles()) {
            if (file.modified().isBefore(orphanCutoff) && uploads.upload(file.upload()).isEmpty()
                    && !claimedHere.contains(file.upload())) {
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

    public HashSources hashSources() {
        return new HashSources(hashesFromMemory.sum(), hashesRestored.sum(), hashesRebuilt.sum());
    }

    /** The digest of the upload's stored bytes, read back through the driver. */
    private MessageDigest rehash(UUID id, Digest.Algorithm algorithm) {
        MessageDigest digest = algorithm.newMessageDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = store.readUpload(id)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read upload " + id, e);
        }
        return digest;
    }
}
