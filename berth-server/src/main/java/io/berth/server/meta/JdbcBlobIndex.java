package io.berth.server.meta;

import static io.berth.server.meta.RepositoryRows.ID_OF_NAME;
import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlobIndex} over the {@code blobs} and {@code repository_blobs} tables; unlinks are told to the
 * {@link ChangeListener}. Only {@code live} blobs count: one that garbage collection has marked {@code deleting} is
 * unknown to reads, mounts and manifest pushes (see {@code io.berth.server.gc.Collector} for the protocol).
 */
public final class JdbcBlobIndex implements BlobIndex {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcBlobIndex.class);
    /** How stale a blob's {@code touched_at} may get before an existence check writes it again. */
    public static final Duration DEFAULT_TOUCH_AFTER = Duration.ofHours(1);

    private final Database database;
    private final Clock clock;
    private final ChangeListener listener;
    private final long touchAfterMillis;
    private final Quotas quotas;
    private final QuotaCheck quotaCheck;

    /**
     * @param touchAfter an existence check (HEAD, GET, mount source) refreshes the blob's {@code touched_at} only when
     *                   it is older than this: a fraction of the garbage collection's grace period, so that a blob
     *                   HEAD costs a write at most once per this interval
     * @param quotas     checked in the transactions that link blobs (uploads and mounts)
     */
    public JdbcBlobIndex(Database database, Clock clock, ChangeListener listener, Duration touchAfter, Quotas quotas) {
        this.database = database;
        this.clock = clock;
        this.listener = listener;
        this.touchAfterMillis = touchAfter.toMillis();
        this.quotas = quotas;
        this.quotaCheck = new QuotaCheck(database.dialect());
    }

    public JdbcBlobIndex(Database database, Clock clock, ChangeListener listener, Duration touchAfter) {
        this(database, clock, listener, touchAfter, Quotas.NONE);
    }

    public JdbcBlobIndex(Database database, Clock clock, ChangeListener listener) {
        this(database, clock, listener, DEFAULT_TOUCH_AFTER);
    }

    public JdbcBlobIndex(Database database, Clock clock) {
        this(database, clock, ChangeListener.NONE);
    }

    public JdbcBlobIndex(Database database) {
        this(database, Clock.systemUTC());
    }

    @Override
    public Optional<Long> linkedBlobSize(Repository repository, Digest digest) {
        record Found(long size, long touchedAt) {
        }
        Optional<Found> found = database.withConnection(connection -> sql(connection, """
                SELECT b.size, b.touched_at FROM blobs b
                JOIN repository_blobs l ON l.digest = b.digest
                WHERE l.repository_id = %s AND l.digest = ? AND b.state = 'live'""".formatted(ID_OF_NAME),
                repository.name(), digest)
                .first(row -> new Found(row.getLong(1), row.getLong(2))));
        found.ifPresent(f -> touchIfStale(digest, f.touchedAt()));
        return found.map(Found::size);
    }

    /**
     * An existence check keeps the blob from garbage collection for a grace period; it writes only when the last touch
     * is older than {@code touchAfter}, so that hot blobs cost no write per request. The read does not wait for the
     * write ({@link Database#inTransactionLater}: on SQLite it still commits before any collection queued after the
     * read), so that a held write lock cannot stall reads; a touch that cannot be written is logged and dropped, and
     * the blob then stays protected by its previous touch, at most {@code touchAfter} old.
     */
    private void touchIfStale(Digest digest, long touchedAt) {
        long now = clock.millis();
        if (touchedAt < now - touchAfterMillis) {
            database.inTransactionLater(connection -> sql(connection,
                    "UPDATE blobs SET touched_at = ? WHERE digest = ? AND state = 'live' AND touched_at < ?",
                    now, digest, now).update())
                    .exceptionally(e -> {
                        LOG.warn("could not refresh touched_at of {}: {}", digest, e.getMessage());
                        return 0;
                    });
        }
    }

    @Override
    public Optional<Repository> anyRepositoryWith(Digest digest) {
        return database.withConnection(connection -> sql(connection, """
                SELECT r.name FROM repository_blobs l
                JOIN repositories r ON r.id = l.repository_id
                WHERE l.digest = ?
                ORDER BY r.name LIMIT 1""", digest)
                .first(row -> Repository.of(row.getString(1))));
    }

    @Override
    public List<Repository> repositoriesWith(Digest digest, String after, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT r.name FROM repository_blobs l
                JOIN repositories r ON r.id = l.repository_id
                WHERE l.digest = ? AND r.name > ?
                ORDER BY r.name LIMIT ?""", digest, after, limit)
                .list(row -> Repository.of(row.getString(1))));
    }

    @Override
    public void admit(Repository repository, Digest digest, long size) {
        List<Quota> applying = quotas.applying(repository);
        if (!applying.isEmpty()) {
            database.withConnection(connection -> {
                quotaCheck.admitBlob(connection, repository, applying, digest, size);
                return null;
            });
        }
    }

    @Override
    public void link(Repository repository, Digest digest, long size) {
        database.inTransaction(connection -> insertLink(connection, repository, digest, size));
    }

    @Override
    public void linkUploaded(Repository repository, Digest digest, long size, UUID upload) {
        database.inTransaction(connection -> {
            insertLink(connection, repository, digest, size);
            return sql(connection, "DELETE FROM uploads WHERE id = ?", upload.toString()).update();
        });
    }

    @Override
    public void reserveForUpload(UUID upload, Digest digest, long size, Consumer<Digest> deleteBytes) {
        database.inTransaction(connection -> {
            long now = clock.millis();
            // Ends holding the lock of a live row: the file may only appear while a row exists, or a collection's
            // repair would take it for an orphan.
            for (;;) {
                insertLiveRow(connection, digest, size, now);
                Optional<String> state = sql(connection, "SELECT state FROM blobs WHERE digest = ?"
                        + database.dialect().updateLock(), digest).first(row -> row.getString(1));
                if (state.isEmpty()) {
                    continue; // PostgreSQL: a sweep deleted the row we waited for; insert ours now
                }
                if (state.get().equals("live")) {
                    sql(connection, "UPDATE blobs SET touched_at = ? WHERE digest = ?", now, digest).update();
                    break;
                }
                // A collection decided this blob is garbage and may be deleting its file right now: finish that
                // deletion here, under the row's lock, before this upload's bytes take the file's place.
                deleteBytes.accept(digest);
                Map<Long, Long> unlinked = RepositoryCounts.linkBytes(connection, "l.digest = ?", digest);
                sql(connection, "DELETE FROM repository_blobs WHERE digest = ?", digest).update();
                sql(connection, "DELETE FROM blobs WHERE digest = ? AND state = 'deleting'", digest).update();
                RepositoryCounts.unlinked(connection, unlinked);
            }
            return sql(connection, "UPDATE uploads SET finishing_digest = ? WHERE id = ?", digest, upload.toString())
                    .update();
        });
    }

    private static void insertLiveRow(Connection connection, Digest digest, long size, long now) throws SQLException {
        sql(connection, """
                INSERT INTO blobs (digest, size, created_at, touched_at, state) VALUES (?, ?, ?, ?, 'live')
                ON CONFLICT (digest) DO NOTHING""", digest, size, now, now).update();
    }

    @Override
    public boolean mount(Repository repository, Digest digest) {
        List<Quota> applying = quotas.applying(repository);
        return database.inTransaction(connection -> {
            long now = clock.millis();
            // The repository row, then the quota scopes, then the blob: the order of every writer (see QuotaCheck).
            long repositoryId = RepositoryRows.idAddingIfAbsent(connection, repository, clock.instant());
            quotaCheck.lock(connection, applying);
            // FOR UPDATE, not FOR SHARE: the touch below writes the row, and two mounts upgrading shared locks
            // would deadlock.
            if (!sql(connection, "SELECT 1 FROM blobs WHERE digest = ? AND state = 'live'"
                    + database.dialect().updateLock(), digest).exists()) {
                return false;
            }
            long size = sql(connection, "SELECT size FROM blobs WHERE digest = ?", digest)
                    .first(row -> row.getLong(1)).orElseThrow();
            if (!applying.isEmpty()) {
                quotaCheck.admitBlob(connection, repository, applying, digest, size);
            }
            sql(connection, "UPDATE blobs SET touched_at = ? WHERE digest = ?", now, digest).update();
            upsertLink(connection, repositoryId, digest, size, now);
            return true;
        });
    }

    /**
     * Links the blob, checking the repository's quotas first: the repository's row, then the quotas' scope rows, then
     * the blob's row — the order every writer keeps (see {@link QuotaCheck}).
     */
    private Void insertLink(Connection connection, Repository repository, Digest digest, long size) throws SQLException {
        Instant now = clock.instant();
        long repositoryId = RepositoryRows.idAddingIfAbsent(connection, repository, now);
        List<Quota> applying = quotas.applying(repository);
        quotaCheck.lock(connection, applying);
        quotaCheck.admitBlob(connection, repository, applying, digest, size);
        insertLiveRow(connection, digest, size, now.toEpochMilli());
        String state = sql(connection, "SELECT state FROM blobs WHERE digest = ?" + database.dialect().updateLock(),
                digest).first(row -> row.getString(1)).orElseThrow();
        if (!state.equals("live")) {
            // Only a finishing upload links a blob this way, and its reservation keeps collections off the row.
            throw new IllegalStateException("blob " + digest + " is being garbage-collected");
        }
        sql(connection, "UPDATE blobs SET touched_at = ? WHERE digest = ?", now.toEpochMilli(), digest).update();
        upsertLink(connection, repositoryId, digest, size, now.toEpochMilli());
        return null;
    }

    /**
     * Links the blob, or renews an existing link's {@code created_at}: the update locks the link's row, so that a
     * garbage collection removing the link either goes first (and this inserts it again) or sees it renewed. A new
     * link adds the blob's size to the repository's linked bytes, last in the transaction.
     */
    private static void upsertLink(Connection connection, long repositoryId, Digest digest, long size, long now)
            throws SQLException {
        if (sql(connection, """
                INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?)
                ON CONFLICT (repository_id, digest) DO NOTHING""", repositoryId, digest, now).update() > 0) {
            RepositoryCounts.linked(connection, repositoryId, size);
            return;
        }
        sql(connection, "UPDATE repository_blobs SET created_at = ? WHERE repository_id = ? AND digest = ?",
                now, repositoryId, digest).update();
    }

    @Override
    public boolean unlink(Repository repository, Digest digest, RequestContext context) {
        Optional<Change> change = database.inTransaction(connection -> {
            // The blob's row locked like every writer of its links does, before the link.
            Optional<Long> size = sql(connection, "SELECT size FROM blobs WHERE digest = ? AND state = 'live'"
                    + database.dialect().updateLock(), digest).first(row -> row.getLong(1));
            Optional<Long> repositoryId = sql(connection, "SELECT id FROM repositories WHERE name = ?", repository.name())
                    .first(row -> row.getLong(1));
            if (size.isEmpty() || repositoryId.isEmpty() || sql(connection,
                    "DELETE FROM repository_blobs WHERE repository_id = ? AND digest = ?", repositoryId.get(), digest)
                    .update() == 0) {
                return Optional.<Change>empty();
            }
            RepositoryCounts.linked(connection, repositoryId.get(), -size.get());
            Change deleted = new Change.BlobDeleted(repository, digest, size.get(), context);
            listener.written(connection, deleted);
            return Optional.of(deleted);
        });
        change.ifPresent(listener::committed);
        return change.isPresent();
    }
}
