package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@link RepositorySnapshot}s: three queries per repository on one connection (tags, manifests, index
 * children), outside any write transaction so that pushes are not held up on SQLite. Also what retention re-checks
 * right before it deletes.
 */
public final class JdbcRepositorySnapshots {
    private final Database database;

    public JdbcRepositorySnapshots(Database database) {
        this.database = database;
    }

    public RepositorySnapshot read(Repository repository) {
        return database.withConnection(connection -> {
            Optional<Long> id = sql(connection, "SELECT id FROM repositories WHERE name = ?", repository.name())
                    .first(row -> row.getLong(1));
            if (id.isEmpty()) {
                return new RepositorySnapshot(repository, List.of(), Map.of(), Map.of());
            }
            List<RepositorySnapshot.TagRow> tags = sql(connection,
                    "SELECT name, manifest_digest, updated_at FROM tags WHERE repository_id = ? ORDER BY name", id.get())
                    .list(row -> new RepositorySnapshot.TagRow(row.getString(1), Digest.parse(row.getString(2)),
                            Instant.ofEpochMilli(row.getLong(3))));
            Map<Digest, RepositorySnapshot.ManifestRow> manifests = new LinkedHashMap<>();
            sql(connection, """
                    SELECT digest, type_id, pushed_at, pulled_at, subject_digest FROM manifests
                    WHERE repository_id = ? ORDER BY digest""", id.get())
                    .list(row -> {
                        long pulled = row.getLong(4);
                        Optional<Instant> pulledAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(pulled));
                        return new RepositorySnapshot.ManifestRow(Digest.parse(row.getString(1)), row.getString(2),
                                Instant.ofEpochMilli(row.getLong(3)), pulledAt,
                                Optional.ofNullable(row.getString(5)).map(Digest::parse));
                    })
                    .forEach(m -> manifests.put(m.digest(), m));
            Map<Digest, Set<Digest>> children = new HashMap<>();
            sql(connection, "SELECT manifest_digest, child_digest FROM manifest_children WHERE repository_id = ?", id.get())
                    .list(row -> Map.entry(Digest.parse(row.getString(1)), Digest.parse(row.getString(2))))
                    .forEach(edge -> children.computeIfAbsent(edge.getKey(), k -> new TreeSet<>()).add(edge.getValue()));
            return new RepositorySnapshot(repository, tags, manifests, children);
        });
    }

    /**
     * What holds the manifest now: the tags that point at it and the indexes that reference it. Retention asks right
     * before it deletes a manifest, to leave one that a push tagged or referenced since the plan was made.
     */
    public record Holds(Set<String> tags, Set<Digest> parents) {
    }

    public Holds holds(Repository repository, Digest digest) {
        return database.withConnection(connection -> {
            Set<String> tags = new TreeSet<>(sql(connection, """
                    SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id
                    WHERE r.name = ? AND t.manifest_digest = ?""", repository.name(), digest)
                    .list(row -> row.getString(1)));
            Set<Digest> parents = new TreeSet<>(sql(connection, """
                    SELECT c.manifest_digest FROM manifest_children c JOIN repositories r ON r.id = c.repository_id
                    WHERE r.name = ? AND c.child_digest = ?""", repository.name(), digest)
                    .list(row -> Digest.parse(row.getString(1))));
            return new Holds(tags, parents);
        });
    }

    /** Where the tag points now, if it exists. */
    public Optional<Digest> tagTarget(Repository repository, String tag) {
        return database.withConnection(connection -> sql(connection, """
                SELECT t.manifest_digest FROM tags t JOIN repositories r ON r.id = t.repository_id
                WHERE r.name = ? AND t.name = ?""", repository.name(), tag)
                .first(row -> Digest.parse(row.getString(1))));
    }
}
