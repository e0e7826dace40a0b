package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.StoredManifest.Classification;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@link ArtifactListing} over the metadata tables; every page is a key-ordered index range. */
public final class JdbcArtifactListing implements ArtifactListing {
    private static final String COLUMNS =
            "m.digest, m.media_type, m.artifact_type, m.type_id, m.platforms, m.total_size, m.pushed_at, m.annotations_json";

    private final Database database;

    public JdbcArtifactListing(Database database) {
        this.database = database;
    }

    private record RepositoryRow(long id, Repository repository) {
    }

    @Override
    public List<RepositorySummary> repositories(Filter filter, Optional<String> last, int limit) {
        return database.withConnection(connection ->
                summaries(connection, repositoryPage(connection, filter, last.orElse(""), false, limit)));
    }

    /**
     * A page of repositories in name order. With a type, from the counts (V12) by their (type, name) index: a page of
     * a type that few repositories hold reads only those.
     */
    private static List<RepositoryRow> repositoryPage(Connection connection, Filter filter, String after,
                                                      boolean inclusive, int limit) throws SQLException {
        List<Object> parameters = new ArrayList<>();
        StringBuilder query;
        String name;
        if (filter.typeId().isPresent()) {
            name = "c.repository_name";
            query = new StringBuilder("SELECT c.repository_id, c.repository_name FROM repository_type_counts c"
                    + " WHERE c.type_id = ? AND c.manifests > 0");
            parameters.add(filter.typeId().get());
        } else {
            name = "r.name";
            query = new StringBuilder("SELECT r.id, r.name FROM repositories r"
                    + " WHERE EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)");
        }
        query.append(" AND ").append(name).append(inclusive ? " >= ?" : " > ?");
        parameters.add(after);
        if (filter.query().isPresent()) {
            query.append(" AND LOWER(").append(name).append(") LIKE ? ESCAPE '\\'");
            parameters.add(like(filter.query().get()));
        }
        query.append(" ORDER BY ").append(name).append(" LIMIT ?");
        parameters.add(limit);
        return sql(connection, query.toString(), parameters.toArray())
                .list(r -> new RepositoryRow(r.getLong(1), Repository.of(r.getString(2))));
    }

    /** What {@link #summaries} reads for one repository. */
    private static final class Totals {
        final Map<String, Long> artifactsByType = new LinkedHashMap<>();
        long lastPush;
        long size;
    }

    /**
     * The summaries of a page of repositories, from the counts kept with every change (V12, {@link RepositoryCounts}):
     * three reads by key for the whole page, however many tags the repositories hold. A page holds at most 1,000
     * repositories (the listing API's limit), well within either database's limit on bound parameters.
     */
    private static List<RepositorySummary> summaries(Connection connection, List<RepositoryRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<Long, Totals> totals = new LinkedHashMap<>();
        rows.forEach(row -> totals.put(row.id(), new Totals()));
        String in = " IN " + placeholders(rows.size());
        Object[] ids = rows.stream().map(RepositoryRow::id).toArray();
        sql(connection, "SELECT repository_id, type_id, tags + untagged FROM repository_type_counts WHERE repository_id"
                + in + " AND tags + untagged > 0 ORDER BY repository_id, type_id", ids).list(r -> {
                    totals.get(r.getLong(1)).artifactsByType.put(r.getString(2), r.getLong(3));
                    return null;
                });
        sql(connection, "SELECT repository_id, manifest_bytes, last_push_at FROM repository_totals WHERE repository_id" + in,
                ids).list(r -> {
                    Totals t = totals.get(r.getLong(1));
                    t.size += r.getLong(2);
                    t.lastPush = r.getLong(3);
                    return null;
                });
        sql(connection, "SELECT repository_id, bytes FROM repository_link_bytes WHERE repository_id" + in, ids).list(r -> {
            totals.get(r.getLong(1)).size += r.getLong(2);
            return null;
        });
        return rows.stream().map(row -> {
            Totals t = totals.get(row.id());
            return new RepositorySummary(row.repository(), t.artifactsByType, Instant.ofEpochMilli(t.lastPush), t.size);
        }).toList();
    }

    @Override
    public List<ArtifactRow> artifacts(Optional<Repository> repository, Filter filter, Optional<String> last, int limit) {
        Cursor cursor = Cursor.parse(last);
        return database.withConnection(connection -> {
            try (SqlStatement.Reused statements = new SqlStatement.Reused(connection)) {
                return artifacts(connection, statements, repository, filter, cursor, limit);
            }
        });
    }

    private static List<ArtifactRow> artifacts(Connection connection, SqlStatement.Reused statements,
                                               Optional<Repository> repository, Filter filter, Cursor cursor, int limit)
            throws SQLException {
        List<ArtifactRow> page = new ArrayList<>();
        if (repository.isPresent()) {
            Optional<Long> id = sql(connection, "SELECT id FROM repositories WHERE name = ?", repository.get().name())
                    .first(r -> r.getLong(1));
            if (id.isPresent()) {
                Cursor from = cursor.repository().equals(repository.get().name()) ? cursor : Cursor.START;
                page.addAll(inRepository(statements, new RepositoryRow(id.get(), repository.get()), filter.typeId(),
                        filter.query(), from, limit));
            }
            return page;
        }
        String after = cursor.repository();
        boolean inclusive = !after.isEmpty();
        while (page.size() < limit) {
            List<RepositoryRow> repositories = repositoryPage(connection,
                    new Filter(filter.query(), filter.typeId()), after, inclusive, 100);
            for (RepositoryRow row : repositories) {
                Cursor from = row.repository().name().equals(cursor.repository()) ? cursor : Cursor.START;
                page.addAll(inRepository(statements, row, filter.typeId(), Optional.empty(), from, limit - page.size()));
                if (page.size() >= limit) {
                    break;
                }
            }
            if (repositories.size() < 100) {
                break;
            }
            after = repositories.get(repositories.size() - 1).repository().name();
            inclusive = false;
        }
        return page;
    }

    /** A position in an artifact listing: a repository, then a tag or (after all tags) an untagged digest. */
    private record Cursor(String repository, boolean untagged, String key) {
        static final Cursor START = new Cursor("", false, "");

        static Cursor parse(Optional<String> last) {
            if (last.isEmpty() || last.get().indexOf('|') < 0) {
                return START;
            }
            String text = last.get();
            String repository = text.substring(0, text.indexOf('|'));
            String position = text.substring(text.indexOf('|') + 1);
            if (position.startsWith("u:")) {
                return new Cursor(repository, true, position.substring(2));
            }
            return new Cursor(repository, false, position.startsWith("t:") ? position.substring(2) : "");
        }
    }

    private static List<ArtifactRow> inRepository(SqlStatement.Reused statements, RepositoryRow repository,
                                                  Optional<String> typeId, Optional<String> tagQuery, Cursor from,
                                                  int limit) throws SQLException {
        List<ArtifactRow> rows = new ArrayList<>();
        if (!from.untagged()) {
            List<Object> parameters = new ArrayList<>(List.of(repository.id(), from.key()));
            StringBuilder query = new StringBuilder("SELECT t.name, " + COLUMNS + """
                     FROM tags t JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
                    WHERE t.repository_id = ? AND t.name > ?""");
            typeId.ifPresent(type -> {
                query.append(" AND m.type_id = ?");
                parameters.add(type);
            });
            tagQuery.ifPresent(q -> {
                query.append(" AND LOWER(t.name) LIKE ? ESCAPE '\\'");
                parameters.add(like(q));
            });
            query.append(" ORDER BY t.name LIMIT ?");
            parameters.add(limit);
            rows.addAll(statements.sql(query.toString(), parameters.toArray()).list(r -> row(r, repository.repository())));
        }
        if (rows.size() < limit && tagQuery.isEmpty()) {
            List<Object> parameters = new ArrayList<>(List.of(repository.id(), from.untagged() ? from.key() : ""));
            StringBuilder query = new StringBuilder("SELECT NULL, " + COLUMNS
                    + " FROM manifests m WHERE m.repository_id = ? AND m.digest > ? AND " + RepositoryCounts.UNTAGGED_TOP_LEVEL);
            typeId.ifPresent(type -> {
                query.append(" AND m.type_id = ?");
                parameters.add(type);
            });
            query.append(" ORDER BY m.digest LIMIT ?");
            parameters.add(limit - rows.size());
            rows.addAll(statements.sql(query.toString(), parameters.toArray()).list(r -> row(r, repository.repository())));
        }
        return rows;
    }

    /**
     * One query per page (and per 500 repositories and 500 subjects), whatever the repositories of the page. It selects
     * rows rather than grouping in SQL: with a GROUP BY on the type, SQLite's planner prefers the type index and reads
     * whole repositories; without it, the (repository, subject) index finds exactly the referrers, of which each
     * subject has few. A row of a repository that names a subject asked for in another is dropped here. The
     * repositories' ids are read first and bound as values: with {@code repository_id = (SELECT id …)} PostgreSQL
     * applied the subject list as a filter over all of the repository's manifests instead of a condition of the index
     * (32 ms instead of 0.3 for a page of a repository with 58,000 manifests).
     */
    @Override
    public Map<Repository, Map<Digest, Map<String, Long>>> referrerCounts(Map<Repository, List<Digest>> subjects) {
        Map<Repository, Map<Digest, Map<String, Long>>> counts = new LinkedHashMap<>();
        subjects.forEach((repository, digests) -> {
            Map<Digest, Map<String, Long>> byDigest = counts.computeIfAbsent(repository, r -> new LinkedHashMap<>());
            digests.forEach(digest -> byDigest.put(digest, new java.util.TreeMap<>()));
        });
        if (subjects.isEmpty()) {
            return counts;
        }
        return database.withConnection(connection -> {
            Map<Long, Repository> ids = new HashMap<>();
            for (List<Repository> names : chunks(List.copyOf(subjects.keySet()))) {
                sql(connection, "SELECT id, name FROM repositories WHERE name IN " + placeholders(names.size()),
                        names.stream().map(Repository::name).toArray())
                        .list(r -> ids.put(r.getLong(1), Repository.of(r.getString(2))));
            }
            List<Digest> digests = subjects.values().stream().flatMap(List::stream).distinct().toList();
            for (List<Long> idChunk : chunks(List.copyOf(ids.keySet()))) {
                for (List<Digest> digestChunk : chunks(digests)) {
                    List<Object> parameters = new ArrayList<>(idChunk);
                    parameters.addAll(digestChunk);
                    sql(connection, "SELECT m.repository_id, m.subject_digest, m.type_id FROM manifests m"
                            + " WHERE m.repository_id IN " + placeholders(idChunk.size())
                            + " AND m.subject_digest IN " + placeholders(digestChunk.size()), parameters.toArray())
                            .list(r -> {
                                Map<String, Long> byType = counts.get(ids.get(r.getLong(1)))
                                        .get(Digest.parse(r.getString(2)));
                                return byType == null ? null : byType.merge(r.getString(3), 1L, Long::sum);
                            });
                }
            }
            return counts;
        });
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 500) {
            chunks.add(all.subList(from, Math.min(all.size(), from + 500)));
        }
        return chunks;
    }

    @Override
    public List<ArtifactRow> referrers(Repository repository, Digest subject, int limit) {
        return database.withConnection(connection -> sql(connection, "SELECT NULL, " + COLUMNS + """
                 FROM manifests m WHERE m.repository_id = (SELECT id FROM repositories WHERE name = ?)
                AND m.subject_digest = ? ORDER BY m.digest LIMIT ?""", repository.name(), subject, limit)
                .list(r -> row(r, repository)));
    }

    @Override
    public List<String> tagsOf(Repository repository, Digest digest) {
        return database.withConnection(connection -> sql(connection, """
                SELECT name FROM tags WHERE repository_id = (SELECT id FROM repositories WHERE name = ?)
                AND manifest_digest = ? ORDER BY name""", repository.name(), digest).list(r -> r.getString(1)));
    }

    @Override
    public Optional<ArtifactRow> manifest(Repository repository, Digest digest) {
        return database.withConnection(connection -> sql(connection, "SELECT NULL, " + COLUMNS + """
                 FROM manifests m WHERE m.repository_id = (SELECT id FROM repositories WHERE name = ?)
                AND m.digest = ?""", repository.name(), digest).first(r -> row(r, repository)));
    }

    private static ArtifactRow row(ResultSet r, Repository repository) throws SQLException {
        return new ArtifactRow(repository, Optional.ofNullable(r.getString(1)), Digest.parse(r.getString(2)),
                r.getString(3), Optional.ofNullable(r.getString(4)), r.getString(5),
                Classification.platformsOf(r.getString(6)), r.getLong(7), Instant.ofEpochMilli(r.getLong(8)),
                AnnotationsJson.read(r.getString(9)));
    }

    /** A LIKE pattern matching {@code text} anywhere, lower-cased, with the wildcards in it escaped. */
    private static String like(String text) {
        String escaped = text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return "%" + escaped + "%";
    }

    /** {@code (?, ?, …)} with {@code count} parameters, for an IN list. */
    private static String placeholders(int count) {
        return "(" + String.join(", ", Collections.nCopies(count, "?")) + ")";
    }
}
