package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link StorageUsage} over the metadata tables: eight grouped queries over the whole registry, whatever its number
 * of repositories. They read committed data one after the other, outside the write transactions (on SQLite a
 * transaction would queue behind the pushes), so figures taken while pushes go on may be moments apart.
 */
public final class JdbcStorageUsage implements StorageUsage {
    /** A manifest that is no child of an index in its repository: an artifact of its own. */
    private static final String TOP_LEVEL = "NOT EXISTS (SELECT 1 FROM manifest_children c"
            + " WHERE c.repository_id = m.repository_id AND c.child_digest = m.digest)";
    /**
     * Every manifest with the type of the artifact it belongs to: a top-level manifest its own type, an index child
     * (at any depth) that of its index. A child of two indexes belongs to both.
     */
    private static final String MEMBERS = "WITH RECURSIVE members (repository_id, digest, type_id) AS ("
            + " SELECT m.repository_id, m.digest, m.type_id FROM manifests m WHERE " + TOP_LEVEL
            + " UNION"
            + " SELECT c.repository_id, c.child_digest, p.type_id FROM members p"
            + " JOIN manifest_children c ON c.repository_id = p.repository_id AND c.manifest_digest = p.digest) ";

    private final Database database;

    public JdbcStorageUsage(Database database) {
        this.database = database;
    }

    /** What the queries add up for one repository. */
    private static final class Tally {
        final Repository repository;
        long artifacts;
        long manifests;
        long bytes;
        long unreferencedBytes;
        final Map<String, long[]> byType = new TreeMap<>();

        Tally(Repository repository) {
            this.repository = repository;
        }

        long[] type(String typeId) {
            return byType.computeIfAbsent(typeId, id -> new long[2]);
        }

        RepositoryUsage usage() {
            List<TypeUsage> types = new ArrayList<>();
            byType.forEach((id, figures) -> types.add(new TypeUsage(id, figures[0], figures[1])));
            types.sort(Comparator.comparingLong(TypeUsage::bytes).reversed().thenComparing(TypeUsage::typeId));
            return new RepositoryUsage(repository, artifacts, manifests, bytes, unreferencedBytes, types);
        }
    }

    @Override
    public Usage usage() {
        return database.withConnection(this::measure);
    }

    private Usage measure(Connection connection) throws SQLException {
        Map<String, Tally> tallies = new TreeMap<>();
        sql(connection, """
                SELECT r.name, SUM(b.size) FROM repository_blobs l
                JOIN repositories r ON r.id = l.repository_id JOIN blobs b ON b.digest = l.digest
                GROUP BY r.name""").list(row -> tally(tallies, row.getString(1)).bytes = row.getLong(2));
        sql(connection, """
                SELECT r.name, SUM(b.size) FROM repository_blobs l
                JOIN repositories r ON r.id = l.repository_id JOIN blobs b ON b.digest = l.digest
                WHERE NOT EXISTS (SELECT 1 FROM manifest_blobs mb
                                  WHERE mb.blob_digest = l.digest AND mb.repository_id = l.repository_id)
                GROUP BY r.name""").list(row -> tally(tallies, row.getString(1)).unreferencedBytes = row.getLong(2));
        sql(connection, "SELECT r.name, m.type_id, COUNT(*) FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                + " WHERE " + TOP_LEVEL + " GROUP BY r.name, m.type_id").list(row -> {
                    Tally tally = tally(tallies, row.getString(1));
                    tally.artifacts += row.getLong(3);
                    tally.type(row.getString(2))[0] = row.getLong(3);
                    return null;
                });
        sql(connection, MEMBERS + """
                SELECT r.name, u.type_id, SUM(b.size) FROM (
                    SELECT DISTINCT p.repository_id, p.type_id, mb.blob_digest FROM members p
                    JOIN manifest_blobs mb ON mb.repository_id = p.repository_id AND mb.manifest_digest = p.digest
                ) u
                JOIN repositories r ON r.id = u.repository_id JOIN blobs b ON b.digest = u.blob_digest
                GROUP BY r.name, u.type_id""").list(row -> tally(tallies, row.getString(1)).type(row.getString(2))[1] = row.getLong(3));
        sql(connection, "SELECT r.name, COUNT(*) FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                + " GROUP BY r.name").list(row -> tally(tallies, row.getString(1)).manifests = row.getLong(2));
        Total total = sql(connection, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM blobs")
                .first(row -> new Total(row.getLong(1), row.getLong(2))).orElse(new Total(0, 0));
        return new Usage(tallies.values().stream().map(Tally::usage).toList(), namespaces(connection), total);
    }

    /** Two grouped queries: each namespace's unique blobs (each once however many of its repositories link it), its manifests. */
    private List<NamespaceUsage> namespaces(Connection connection) throws SQLException {
        String namespace = database.dialect().namespaceOf("r.name");
        Map<String, long[]> figures = new TreeMap<>();
        sql(connection, """
                SELECT n.namespace, SUM(b.size) FROM (
                    SELECT DISTINCT %s AS namespace, l.digest FROM repository_blobs l
                    JOIN repositories r ON r.id = l.repository_id
                ) n JOIN blobs b ON b.digest = n.digest
                GROUP BY n.namespace""".formatted(namespace))
                .list(row -> figures.computeIfAbsent(row.getString(1), n -> new long[2])[1] = row.getLong(2));
        sql(connection, """
                SELECT n.namespace, COUNT(*) FROM (
                    SELECT %s AS namespace FROM manifests m JOIN repositories r ON r.id = m.repository_id
                ) n GROUP BY n.namespace""".formatted(namespace))
                .list(row -> figures.computeIfAbsent(row.getString(1), n -> new long[2])[0] = row.getLong(2));
        List<NamespaceUsage> namespaces = new ArrayList<>();
        figures.forEach((name, f) -> namespaces.add(new NamespaceUsage(name, f[0], f[1])));
        return namespaces;
    }

    private static Tally tally(Map<String, Tally> tallies, String name) {
        return tallies.computeIfAbsent(name, n -> new Tally(Repository.of(n)));
    }
}
