package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-repository counts the listing reads (V12: {@code repository_type_counts}, {@code repository_totals},
 * {@code repository_link_bytes}), kept up to date inside the transaction of each change. A transaction that changes
 * manifests or tags first {@linkplain #lock locks its repository's totals row}, reads the {@link Share}s of the
 * manifests it may affect, changes them, reads the shares again and adds the difference. The lock makes the changes
 * of one repository take turns on PostgreSQL too (SQLite runs one write transaction at a time anyway), so that no two
 * transactions compute a difference from the same starting point.
 *
 * <p>Lock order: the totals row comes first in every transaction that takes it, before quota scope rows, blob rows
 * and manifests. The blob bytes live in a table of their own, written by the transactions that link and unlink blobs
 * (uploads, mounts, garbage collection), which lock blob rows first and never the totals row.
 */
final class RepositoryCounts {
    /**
     * Manifest {@code m} is an untagged top-level one of its repository: no tag, no subject, no index that holds it.
     * The listing shows these after the tags; the counts count them.
     */
    static final String UNTAGGED_TOP_LEVEL = """
             m.subject_digest IS NULL
            AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
            AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.repository_id = m.repository_id AND c.child_digest = m.digest)
            """;

    private RepositoryCounts() {
    }

    /** What one manifest adds to its repository's counts; {@link #NONE} for a manifest the repository does not hold. */
    record Share(String typeId, long tags, long untagged, long bytes) {
        static final Share NONE = new Share(null, 0, 0, 0);
    }

    /** Locks the repository's totals row (making it first), until the transaction ends. */
    static void lock(Connection connection, Dialect dialect, long repositoryId) throws SQLException {
        sql(connection, """
                INSERT INTO repository_totals (repository_id, manifest_bytes, last_push_at) VALUES (?, 0, 0)
                ON CONFLICT (repository_id) DO NOTHING""", repositoryId).update();
        if (!dialect.updateLock().isEmpty()) { // SQLite runs one write transaction at a time: nothing to lock
            sql(connection, "SELECT 1 FROM repository_totals WHERE repository_id = ?" + dialect.updateLock(), repositoryId)
                    .exists();
        }
    }

    /** The shares of {@code digests} now ({@link Share#NONE} for a digest the repository does not hold). */
    static Map<Digest, Share> shares(Connection connection, long repositoryId, Collection<Digest> digests)
            throws SQLException {
        Map<Digest, Share> shares = new TreeMap<>();
        for (Digest digest : new TreeSet<>(digests)) {
            Optional<Share> share = sql(connection, """
                    SELECT m.type_id,
                           (SELECT COUNT(*) FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest),
                           CASE WHEN""" + UNTAGGED_TOP_LEVEL + " THEN 1 ELSE 0 END, m.size"
                    + " FROM manifests m WHERE m.repository_id = ? AND m.digest = ?", repositoryId, digest)
                    .first(row -> new Share(row.getString(1), row.getLong(2), row.getLong(3), row.getLong(4)));
            shares.put(digest, share.orElse(Share.NONE));
        }
        return shares;
    }

    /**
     * Adds what changed between {@code before} and the shares of the same digests now, and moves the last push to
     * {@code pushedAt} when that is later (0: no push).
     */
    static void update(Connection connection, long repositoryId, Map<Digest, Share> before, long pushedAt)
            throws SQLException {
        Map<Digest, Share> after = shares(connection, repositoryId, before.keySet());
        Map<String, long[]> byType = new TreeMap<>(); // manifests, tags, untagged
        long bytes = 0;
        for (Share share : before.values()) {
            add(byType, share, -1);
            bytes -= share.bytes();
        }
        for (Share share : after.values()) {
            add(byType, share, 1);
            bytes += share.bytes();
        }
        boolean decreased = false;
        for (Map.Entry<String, long[]> type : byType.entrySet()) {
            long[] d = type.getValue();
            decreased |= d[0] < 0 || d[1] < 0 || d[2] < 0;
            if (d[0] != 0 || d[1] != 0 || d[2] != 0) {
                sql(connection, """
                        INSERT INTO repository_type_counts (repository_id, type_id, repository_name, manifests, tags,
                            untagged)
                        VALUES (?, ?, (SELECT name FROM repositories WHERE id = ?), ?, ?, ?)
                        ON CONFLICT (repository_id, type_id) DO UPDATE SET
                            manifests = repository_type_counts.manifests + excluded.manifests,
                            tags = repository_type_counts.tags + excluded.tags,
                            untagged = repository_type_counts.untagged + excluded.untagged""",
                        repositoryId, type.getKey(), repositoryId, d[0], d[1], d[2]).update();
            }
        }
        if (decreased) {
            sql(connection, """
                    DELETE FROM repository_type_counts
                    WHERE repository_id = ? AND manifests = 0 AND tags = 0 AND untagged = 0""", repositoryId).update();
        }
        if (bytes != 0 || pushedAt > 0) {
            sql(connection, """
                    UPDATE repository_totals SET manifest_bytes = manifest_bytes + ?,
                        last_push_at = CASE WHEN last_push_at < ? THEN ? ELSE last_push_at END
                    WHERE repository_id = ?""", bytes, pushedAt, pushedAt, repositoryId).update();
        }
    }

    private static void add(Map<String, long[]> byType, Share share, int sign) {
        if (share.typeId() == null) {
            return;
        }
        long[] d = byType.computeIfAbsent(share.typeId(), t -> new long[3]);
        d[0] += sign;
        d[1] += sign * share.tags();
        d[2] += sign * share.untagged();
    }

    /**
     * Adds {@code bytes} (negative: removes) to the bytes of the blobs linked into the repository. Called last in its
     * transaction, after every blob and link row it locks, so that it never waits for a link while holding this row.
     */
    static void linked(Connection connection, long repositoryId, long bytes) throws SQLException {
        if (bytes == 0) {
            return;
        }
        sql(connection, """
                INSERT INTO repository_link_bytes (repository_id, bytes) VALUES (?, ?)
                ON CONFLICT (repository_id) DO UPDATE SET bytes = repository_link_bytes.bytes + excluded.bytes""",
                repositoryId, bytes).update();
    }

    /**
     * The bytes per repository of the links that {@code condition} (on {@code repository_blobs l}, with
     * {@code parameters}) selects: read right before deleting them, under the lock of their blobs' rows (every
     * transaction that links a blob holds its row's lock), and given to {@link #unlinked} after.
     */
    static Map<Long, Long> linkBytes(Connection connection, String condition, Object... parameters) throws SQLException {
        Map<Long, Long> bytes = new TreeMap<>();
        sql(connection, "SELECT l.repository_id, SUM(b.size) FROM repository_blobs l JOIN blobs b ON b.digest = l.digest"
                + " WHERE " + condition + " GROUP BY l.repository_id", parameters)
                .list(row -> bytes.put(row.getLong(1), row.getLong(2)));
        return bytes;
    }

    /** Takes {@code bytes} (by repository, from {@link #linkBytes}) out of the repositories' linked bytes. */
    static void unlinked(Connection connection, Map<Long, Long> bytes) throws SQLException {
        for (Map.Entry<Long, Long> repository : bytes.entrySet()) {
            linked(connection, repository.getKey(), -repository.getValue());
        }
    }
}
