package io.berth.server.blob;

import io.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a blob's bytes are there and are what its digest says, so that the registry never answers for bytes it
 * does not have and never serves bytes that rotted. The metadata says a blob exists; this checks the storage agrees:
 * <ul>
 *   <li>{@link #present}: a stat (the file exists with the recorded size), for HEAD, mounts and manifest pushes;</li>
 *   <li>{@link #forRead}: for GET, and for blobs up to {@code storage.verifyOnReadBelow} a hash of the whole file, whose
 *       checked bytes are then served (no second read that could differ);</li>
 *   <li>{@link #verify}: a hash of the whole file at the caller's pace, for the scrub.</li>
 * </ul>
 * Bytes that do not match (another size, another hash) are quarantined ({@link BlobStore#quarantine}): the blob then
 * has no bytes, reads answer 404 {@code BLOB_UNKNOWN} and a push of the right bytes puts them back. Each finding is
 * logged (a missing file at most once per {@value #REPORT_EVERY_MILLIS} ms per blob) and counted for the metrics.
 */
public final class BlobIntegrity {
    private static final Logger LOG = LoggerFactory.getLogger(BlobIntegrity.class);
    private static final long REPORT_EVERY_MILLIS = 10 * 60_000;
    private static final int REPORTED_MAX = 10_000;
    private static final int READ_SIZE = 1 << 20;

    private final BlobStore store;
    private final long verifyOnReadBelow;
    private final Clock clock;
    private final Map<Digest, Long> reportedMissing = new ConcurrentHashMap<>();
    private final LongAdder missing = new LongAdder();
    private final LongAdder corruptOnRead = new LongAdder();
    private final LongAdder quarantined = new LongAdder();
    private static final long SEEN_PRESENT_MILLIS = 1000;
    private static final int SEEN_PRESENT_MAX = 16_384;
    /** When a check last found each blob's file with its size (System.nanoTime), for {@link #recentlyPresent}. */
    private final Map<Digest, Long> seenPresent = new ConcurrentHashMap<>();

    /** Findings since the start: files found missing by a check, mismatches found on read, files quarantined. */
    public record Counts(long missing, long corruptOnRead, long quarantined) {
    }

    /** What a check of one blob found. */
    public enum Outcome { INTACT, MISSING, CORRUPT }

    /** What a GET sends: the file as it is, or the bytes that were just verified. */
    public sealed interface Readable permits Unverified, Verified {
        long size();
    }

    /** A blob above the verify-on-read size: sent from storage as it is. */
    public record Unverified(BlobStore.BlobStat stat) implements Readable {
        @Override
        public long size() {
            return stat.size();
        }
    }

    /** A small blob whose bytes hashed to its digest just now: sent from memory. */
    public record Verified(byte[] content) implements Readable {
        @Override
        public long size() {
            return content.length;
        }
    }

    public BlobIntegrity(BlobStore store, long verifyOnReadBelow, Clock clock) {
        this.store = store;
        this.verifyOnReadBelow = verifyOnReadBelow;
        this.clock = clock;
    }

    /**
     * Blocking, cheap (a stat): the blob's file, when it exists with {@code recordedSize} bytes. A missing file is
     * logged; a file of another size cannot hold the blob and is quarantined.
     *
     * @param purpose what the check is for, for the log ("HEAD", "mount", "manifest push")
     */
    public Optional<BlobStore.BlobStat> present(Digest digest, long recordedSize, String purpose) {
        Optional<BlobStore.BlobStat> blob = store.stat(digest);
        if (blob.isEmpty()) {
            reportMissing(digest, purpose);
            return Optional.empty();
        }
        if (blob.get().size() != recordedSize) {
            quarantine(digest, blob.get().version(), "has " + blob.get().size() + " bytes instead of " + recordedSize
                    + " (found by " + purpose + ")");
            return Optional.empty();
        }
        seen(digest, System.nanoTime());
        return blob;
    }

    /**
     * Whether the blob's file exists with {@code recordedSize} bytes, for HEAD's answer on the event loop and a manifest
     * push's check: a stat at most once per {@value #SEEN_PRESENT_MILLIS} ms per blob. A stat and the store's metrics
     * cost a blob HEAD a quarter of its time (bench/run --compare), and with S3 a stat is a request to the store; a file
     * removed behind the registry's back is noticed within that time, and one quarantined at once. False sends the
     * caller the blocking way ({@link #present}), which logs and quarantines.
     */
    public boolean recentlyPresent(Digest digest, long recordedSize) {
        long now = System.nanoTime();
        Long seen = seenPresent.get(digest);
        if (seen != null && now - seen < SEEN_PRESENT_MILLIS * 1_000_000L) {
            return true;
        }
        if (store.stat(digest).filter(b -> b.size() == recordedSize).isEmpty()) {
            seenPresent.remove(digest);
            return false;
        }
        seen(digest, now);
        return true;
    }

    private void seen(Digest digest, long now) {
        if (seenPresent.size() >= SEEN_PRESENT_MAX) {
            seenPresent.clear(); // a bound, not a cache policy: the next checks stat again
        }
        seenPresent.put(digest, now);
    }

    /**
     * Blocking, cheap (a stat): whether the blob's file exists. Not logged: the caller may not know whether the
     * database records the blob at all.
     */
    public boolean exists(Digest digest) {
        return store.stat(digest).isPresent();
    }

    /** Blocking: what a GET of the blob serves, empty when its bytes are missing or do not match (then quarantined). */
    public Optional<Readable> forRead(Digest digest, long recordedSize) {
        Optional<BlobStore.BlobStat> blob = present(digest, recordedSize, "GET");
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        if (recordedSize > verifyOnReadBelow) {
            return Optional.of(new Unverified(blob.get()));
        }
        Optional<BlobStore.Version> version = blob.map(BlobStore.BlobStat::version);
        byte[] content;
        try (InputStream in = store.read(digest, 0, recordedSize)) {
            content = in.readAllBytes();
        } catch (IOException | UncheckedIOException e) {
            if (missing(e)) {
                reportMissing(digest, "GET");
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read blob " + digest, asIo(e));
        }
        MessageDigest hash = digest.algorithm().newMessageDigest();
        hash.update(content);
        if (content.length != recordedSize || !Digest.of(digest.algorithm(), hash.digest()).equals(digest)) {
            corruptOnRead.increment();
            version.ifPresent(v -> quarantine(digest, v, "does not hash to its digest (found on GET)"));
            return Optional.empty();
        }
        return Optional.of(new Verified(content));
    }

    /**
     * Blocking: hashes the blob's whole file, telling {@code read} of every chunk read (so that the caller can keep to
     * a rate), and quarantines it when it does not match.
     */
    public Outcome verify(Digest digest, long recordedSize, LongConsumer read) {
        Optional<BlobStore.BlobStat> blob = store.stat(digest);
        if (blob.isEmpty()) {
            reportMissing(digest, "scrub");
            return Outcome.MISSING;
        }
        BlobStore.Version version = blob.get().version();
        if (blob.get().size() != recordedSize) {
            quarantine(digest, version, "has " + blob.get().size() + " bytes instead of " + recordedSize
                    + " (found by scrub)");
            return Outcome.CORRUPT;
        }
        MessageDigest hash = digest.algorithm().newMessageDigest();
        long length = 0;
        byte[] buffer = new byte[READ_SIZE];
        // One byte past the recorded size, so that a blob that grew behind the registry's back does not hash as whole.
        try (InputStream in = store.read(digest, 0, recordedSize + 1)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                hash.update(buffer, 0, n);
                length += n;
                read.accept(n);
            }
        } catch (IOException | UncheckedIOException e) {
            if (missing(e)) {
                return Outcome.MISSING;
            }
            throw new UncheckedIOException("cannot read blob " + digest, asIo(e));
        }
        if (length != recordedSize || !Digest.of(digest.algorithm(), hash.digest()).equals(digest)) {
            quarantine(digest, version, "does not hash to its digest (found by scrub)");
            return Outcome.CORRUPT;
        }
        return Outcome.INTACT;
    }

    /** Whether a read failed because the blob has no bytes (removed, or quarantined meanwhile). */
    private static boolean missing(Exception e) {
        return e instanceof NoSuchFileException || e.getCause() instanceof NoSuchFileException;
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
    }

    private void quarantine(Digest digest, BlobStore.Version version, String why) {
        seenPresent.remove(digest);
        Optional<String> where = store.quarantine(digest, version);
        if (where.isPresent()) {
            quarantined.increment();
            LOG.error("blob {} {}: its file is quarantined at {} and the blob answers 404 until a push of the right bytes"
                    + " replaces it", digest, why, where.get());
        }
    }

    private void reportMissing(Digest digest, String purpose) {
        missing.increment();
        long now = clock.millis();
        Long last = reportedMissing.get(digest);
        if (last == null || last < now - REPORT_EVERY_MILLIS) {
            if (reportedMissing.size() > REPORTED_MAX) {
                reportedMissing.clear();
            }
            reportedMissing.put(digest, now);
            LOG.error("blob {} is recorded in the database but its file is missing from the blob store (found by {}):"
                    + " answered as unknown, so that clients upload it again", digest, purpose);
        }
    }

    public Counts counts() {
        return new Counts(missing.sum(), corruptOnRead.sum(), quarantined.sum());
    }
}
