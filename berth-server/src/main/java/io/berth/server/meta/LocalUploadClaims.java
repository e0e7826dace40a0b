package io.berth.server.meta;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upload sessions of a database that serves one node (SQLite, {@link Database#shared()} false): the sessions in
 * their rows, their claims in this process. A claim in the row guards against writers on other nodes, which such a
 * database has none of, and costs two write transactions per PATCH — on SQLite two fsync'd commits of the group
 * writer, which made chunked uploads of 64 MiB in 8 MiB PATCHes 7 % slower than before claims existed
 * ({@code bench/run --compare}, 20 pairs, interval 1.03–1.12). Here a PATCH writes nothing: the row's
 * {@code touched_at} is written at most once per touch period (as {@code UploadSessions.find} does), and the running
 * hash stays in the node's memory (after a restart the next claim rebuilds it from the stored bytes).
 */
public final class LocalUploadClaims implements UploadIndex {
    private record Claim(String holder, Instant until) {
    }

    private final UploadIndex rows;
    private final Duration touchPeriod;
    private final Map<UUID, Claim> claims = new ConcurrentHashMap<>();
    /** When this process last wrote each session's {@code touched_at}. */
    private final Map<UUID, Instant> rowTouched = new ConcurrentHashMap<>();

    public LocalUploadClaims(UploadIndex rows, Duration touchPeriod) {
        this.rows = rows;
        this.touchPeriod = touchPeriod;
    }

    @Override
    public void create(Upload upload) {
        rows.create(upload);
        rowTouched.put(upload.id(), upload.touchedAt());
    }

    @Override
    public void createClaimed(Upload upload, String holder, Instant until) {
        create(upload);
        claims.put(upload.id(), new Claim(holder, until));
    }

    @Override
    public boolean claim(UUID id, String holder, Instant now, Instant until) {
        Claim claim = claims.compute(id, (key, held) -> held == null || !held.until().isAfter(now)
                ? new Claim(holder, until) : held);
        if (!claim.holder().equals(holder)) {
            return false;
        }
        if (!touchIfDue(id, now)) {
            claims.remove(id, claim);
            return false;
        }
        return true;
    }

    @Override
    public boolean renew(UUID id, String holder, Instant now, Instant until) {
        Claim renewed = claims.computeIfPresent(id, (key, held) -> held.holder().equals(holder)
                ? new Claim(holder, until) : held);
        return renewed != null && renewed.holder().equals(holder) && touchIfDue(id, now);
    }

    /** The hash is not saved: only this node claims the session, and it keeps the hash in memory. */
    @Override
    public void release(UUID id, String holder, Instant now, Optional<SavedHash> hash) {
        if (claims.computeIfPresent(id, (key, held) -> held.holder().equals(holder) ? null : held) == null) {
            touchIfDue(id, now);
        }
    }

    /** Writes the row's {@code touched_at} when this process has not for a touch period; false when the row is gone. */
    private boolean touchIfDue(UUID id, Instant now) {
        Instant last = rowTouched.get(id);
        return last != null && !last.isBefore(now.minus(touchPeriod)) || touch(id, now);
    }

    @Override
    public Optional<SavedHash> savedHash(UUID id) {
        return rows.savedHash(id);
    }

    @Override
    public Optional<Upload> upload(UUID id) {
        return rows.upload(id);
    }

    @Override
    public void delete(UUID id) {
        rows.delete(id);
        forget(id);
    }

    @Override
    public boolean touch(UUID id, Instant at) {
        boolean touched = rows.touch(id, at);
        if (touched) {
            rowTouched.put(id, at);
        } else {
            rowTouched.remove(id);
        }
        return touched;
    }

    @Override
    public boolean deleteIfUntouchedSince(UUID id, Instant cutoff) {
        boolean deleted = rows.deleteIfUntouchedSince(id, cutoff);
        if (deleted) {
            forget(id);
        }
        return deleted;
    }

    private void forget(UUID id) {
        claims.remove(id);
        rowTouched.remove(id);
    }

    @Override
    public long count() {
        return rows.count();
    }

    @Override
    public List<UUID> untouchedSince(Instant cutoff, int limit) {
        return rows.untouchedSince(cutoff, limit);
    }
}
