package io.berth.server.meta;

import static io.berth.server.meta.RepositoryRows.ID_OF_NAME;
import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@link BlobIndex} over the {@code blobs} and {@code repository_blobs} tables; unlinks are told to the {@link ChangeListener}. */
public final class JdbcBlobIndex implements BlobIndex {
    private final Database database;
    private final Clock clock;
    private final ChangeListener listener;

    public JdbcBlobIndex(Database database, Clock clock, ChangeListener listener) {
        this.database = database;
        this.clock = clock;
        this.listener = listener;
    }

    public JdbcBlobIndex(Database database, Clock clock) {
        this(database, clock, ChangeListener.NONE);
    }

    public JdbcBlobIndex(Database database) {
        this(database, Clock.systemUTC());
    }

    @Override
    public Optional<Long> linkedBlobSize(Repository repository, Digest digest) {
        return database.withConnection(connection -> sql(connection, """
                SELECT b.size FROM blobs b
                JOIN repository_blobs l ON l.digest = b.digest
                WHERE l.repository_id = %s AND l.digest = ?""".formatted(ID_OF_NAME), repository.name(), digest)
                .first(row -> row.getLong(1)));
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

    private Void insertLink(Connection connection, Repository repository, Digest digest, long size) throws SQLException {
        Instant now = clock.instant();
        long repositoryId = RepositoryRows.idAddingIfAbsent(connection, repository, now);
        sql(connection, "INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                digest, size, now.toEpochMilli()).update();
        sql(connection, """
                INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?)
                ON CONFLICT (repository_id, digest) DO NOTHING""", repositoryId, digest, now.toEpochMilli()).update();
        return null;
    }

    @Override
    public boolean unlink(Repository repository, Digest digest, RequestContext context) {
        Optional<Change> change = database.inTransaction(connection -> {
            Optional<Long> size = sql(connection, "SELECT size FROM blobs WHERE digest = ?", digest).first(row -> row.getLong(1));
            if (size.isEmpty() || sql(connection, "DELETE FROM repository_blobs WHERE repository_id = " + ID_OF_NAME
                    + " AND digest = ?", repository.name(), digest).update() == 0) {
                return Optional.<Change>empty();
            }
            Change deleted = new Change.BlobDeleted(repository, digest, size.get(), context);
            listener.written(connection, deleted);
            return Optional.of(deleted);
        });
        change.ifPresent(listener::committed);
        return change.isPresent();
    }
}
