package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.server.meta.StoredManifest.Classification;
import java.util.List;
import java.util.Optional;

/** {@link ClassificationIndex} over the {@code manifests} table, walked by key. */
public final class JdbcClassificationIndex implements ClassificationIndex {
    private final Database database;

    public JdbcClassificationIndex(Database database) {
        this.database = database;
    }

    @Override
    public List<Row> page(Cursor after, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT repository_id, digest, media_type, content, type_id, platforms, total_size FROM manifests
                WHERE repository_id > ? OR (repository_id = ? AND digest > ?)
                ORDER BY repository_id, digest LIMIT ?""",
                after.repositoryId(), after.repositoryId(), after.digest(), limit)
                .list(row -> new Row(new Cursor(row.getLong(1), row.getString(2)), row.getString(3), row.getBytes(4),
                        new Classification(row.getString(5), Classification.platformsOf(row.getString(6)), row.getLong(7)))));
    }

    @Override
    public void update(Cursor at, Classification classification) {
        database.inTransaction(connection -> {
            // The counts by type move with the type: the repository's totals row first, as every writer takes it.
            RepositoryCounts.lock(connection, database.dialect(), at.repositoryId());
            var before = RepositoryCounts.shares(connection, at.repositoryId(), List.of(Digest.parse(at.digest())));
            sql(connection, "UPDATE manifests SET type_id = ?, platforms = ? WHERE repository_id = ? AND digest = ?",
                    classification.typeId(), classification.platformsColumn(), at.repositoryId(), at.digest()).update();
            RepositoryCounts.update(connection, at.repositoryId(), before, 0);
            return null;
        });
    }

    @Override
    public Optional<String> typedWith() {
        return database.withConnection(connection -> sql(connection,
                "SELECT catalog_fingerprint FROM classification_state WHERE id = 1").first(row -> row.getString(1)));
    }

    @Override
    public void typedWith(String fingerprint) {
        database.inTransaction(connection -> sql(connection, """
                INSERT INTO classification_state (id, catalog_fingerprint, typed_at) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET catalog_fingerprint = excluded.catalog_fingerprint,
                    typed_at = excluded.typed_at""", fingerprint, System.currentTimeMillis()).update());
    }
}
