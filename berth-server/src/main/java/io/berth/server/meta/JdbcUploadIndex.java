package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@link UploadIndex} over the {@code uploads} table. */
public final class JdbcUploadIndex implements UploadIndex {
    private final Database database;

    public JdbcUploadIndex(Database database) {
        this.database = database;
    }

    @Override
    public void create(Upload upload) {
        database.inTransaction(connection -> sql(connection,
                "INSERT INTO uploads (id, repository, started_at, touched_at) VALUES (?, ?, ?, ?)",
                upload.id().toString(), upload.repository().name(), upload.startedAt().toEpochMilli(),
                upload.touchedAt().toEpochMilli()).update());
    }

    @Override
    public void createClaimed(Upload upload, String holder, Instant until) {
        database.inTransaction(connection -> sql(connection,
                "INSERT INTO uploads (id, repository, started_at, touched_at, claimed_by, claimed_until)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                upload.id().toString(), upload.repository().name(), upload.startedAt().toEpochMilli(),
                upload.touchedAt().toEpochMilli(), holder, until.toEpochMilli()).update());
    }

    @Override
    public boolean claim(UUID id, String holder, Instant now, Instant until) {
        return database.inTransaction(connection -> sql(connection,
                "UPDATE uploads SET claimed_by = ?, claimed_until = ?, touched_at = ?"
                        + " WHERE id = ? AND (claimed_by IS NULL OR claimed_until <= ?)",
                holder, until.toEpochMilli(), now.toEpochMilli(), id.toString(), now.toEpochMilli()).update()) > 0;
    }

    @Override
    public boolean renew(UUID id, String holder, Instant now, Instant until) {
        return database.inTransaction(connection -> sql(connection,
                "UPDATE uploads SET claimed_until = ?, touched_at = ? WHERE id = ? AND claimed_by = ?",
                until.toEpochMilli(), now.toEpochMilli(), id.toString(), holder).update()) > 0;
    }

    @Override
    public void release(UUID id, String holder, Instant now, Optional<SavedHash> hash) {
        database.inTransaction(connection -> hash.isPresent()
                ? sql(connection, "UPDATE uploads SET claimed_by = NULL, claimed_until = 0, touched_at = ?,"
                        + " hash_state = ?, hash_length = ? WHERE id = ? AND claimed_by = ?",
                        now.toEpochMilli(), hash.get().state(), hash.get().length(), id.toString(), holder).update()
                : sql(connection, "UPDATE uploads SET claimed_by = NULL, claimed_until = 0, touched_at = ?"
                        + " WHERE id = ? AND claimed_by = ?", now.toEpochMilli(), id.toString(), holder).update());
    }

    @Override
    public Optional<SavedHash> savedHash(UUID id) {
        return database.withConnection(connection -> sql(connection,
                "SELECT hash_length, hash_state FROM uploads WHERE id = ? AND hash_length >= 0", id.toString())
                .first(row -> new SavedHash(row.getLong(1), row.getBytes(2))));
    }

    @Override
    public Optional<Upload> upload(UUID id) {
        return database.withConnection(connection -> sql(connection,
                "SELECT repository, started_at, touched_at FROM uploads WHERE id = ?", id.toString())
                .first(row -> new Upload(id, Repository.of(row.getString(1)), Instant.ofEpochMilli(row.getLong(2)),
                        Instant.ofEpochMilli(row.getLong(3)))));
    }

    @Override
    public void delete(UUID id) {
        database.inTransaction(connection -> sql(connection, "DELETE FROM uploads WHERE id = ?", id.toString()).update());
    }

    @Override
    public boolean touch(UUID id, Instant at) {
        return database.inTransaction(connection -> sql(connection,
                "UPDATE uploads SET touched_at = ? WHERE id = ?", at.toEpochMilli(), id.toString()).update()) > 0;
    }

    @Override
    public boolean deleteIfUntouchedSince(UUID id, Instant cutoff) {
        return database.inTransaction(connection -> sql(connection,
                "DELETE FROM uploads WHERE id = ? AND touched_at < ?", id.toString(), cutoff.toEpochMilli()).update()) > 0;
    }

    @Override
    public long count() {
        return database.withConnection(connection -> sql(connection, "SELECT COUNT(*) FROM uploads")
                .first(row -> row.getLong(1)).orElse(0L));
    }

    @Override
    public List<UUID> untouchedSince(Instant cutoff, int limit) {
        return database.withConnection(connection -> sql(connection,
                "SELECT id FROM uploads WHERE touched_at < ? ORDER BY touched_at, id LIMIT ?", cutoff.toEpochMilli(), limit)
                .list(row -> UUID.fromString(row.getString(1))));
    }
}
