package io.berth.server.scan;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.Database;
import io.berth.server.meta.NodeId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code scans} table: one row per manifest and scanner. Rows are queued inside the transaction that stored the
 * manifest ({@link #queue}); the {@link ScanService} worker takes those {@link #due} and records what the adapter
 * answered. Deleting a manifest deletes its scans.
 *
 * <p>Workers of every node sharing the database {@link #claim} what is due: a claim marks the rows with the node and
 * a deadline, taken with {@code FOR UPDATE SKIP LOCKED} on PostgreSQL (two workers claiming at once each get other
 * rows, neither waits), under SQLite's one writer elsewhere. Recording an outcome releases the claim; a claim that
 * passes its deadline (its node died mid-call) is claimed again by any worker. Recording only changes a row still
 * claimed by this node or by none, so a worker that lost its claim cannot overwrite what the next one recorded.
 */
final class ScanStore {
    private static final String REPOSITORY_ID = "(SELECT id FROM repositories WHERE name = ?)";

    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String FAILED = "failed";

    /** Which scan: a manifest of a repository, by one scanner. */
    record Key(Repository repository, Digest digest, String scanner) {
    }

    /** A scan as stored. */
    record Row(Key key, String status, Instant requestedAt, Instant updatedAt, int attempts,
               Optional<String> scanRequestId, Optional<String> error, Optional<Summary> summary,
               Optional<String> reportMediaType, Optional<byte[]> report) {
    }

    /** A scan the worker should advance now, with what a scan request needs of its manifest. */
    record Due(Key key, String status, int attempts, Optional<String> scanRequestId, String mediaType, String typeId,
               Optional<String> tag) {
    }

    /** A child manifest of an index, with its type. */
    record Child(Digest digest, String typeId) {
    }

    private static final long OVERDUE_MILLIS = 60_000;

    private final Database database;
    private final NodeId node;

    ScanStore(Database database) {
        this(database, NodeId.generate());
    }

    ScanStore(Database database, NodeId node) {
        this.database = database;
        this.node = node;
    }

    /**
     * Claims up to {@code limit} due scans for this node until {@code until}, oldest first, and returns them: none that
     * another live claim holds.
     */
    List<Due> claim(Instant now, int limit, Instant until) {
        long claimedUntil = until.toEpochMilli();
        int claimed = database.inTransaction(connection -> {
            record Claimable(long repositoryId, String digest, String scanner) {
            }
            List<Claimable> rows = sql(connection, """
                    SELECT s.repository_id, s.manifest_digest, s.scanner FROM scans s
                    WHERE s.status IN ('queued', 'running') AND s.next_at <= ? AND s.claimed_until < ?
                    ORDER BY s.next_at LIMIT ?""" + database.skipLocked(), now.toEpochMilli(), now.toEpochMilli(), limit)
                    .list(row -> new Claimable(row.getLong(1), row.getString(2), row.getString(3)));
            for (Claimable row : rows) {
                sql(connection, """
                        UPDATE scans SET claimed_by = ?, claimed_until = ?
                        WHERE repository_id = ? AND manifest_digest = ? AND scanner = ?""",
                        node.value(), claimedUntil, row.repositoryId(), row.digest(), row.scanner()).update();
            }
            return rows.size();
        });
        if (claimed == 0) {
            return List.of();
        }
        return due("s.claimed_by = ? AND s.claimed_until = ?", List.of(node.value(), claimedUntil), limit);
    }

    /** Extends this node's claim of {@code key} before working on it; false when it lost the claim. */
    boolean holdClaim(Key key, Instant until) {
        return database.inTransaction(connection -> sql(connection, """
                UPDATE scans SET claimed_until = ?
                WHERE repository_id = %s AND manifest_digest = ? AND scanner = ? AND claimed_by = ?"""
                .formatted(REPOSITORY_ID), until.toEpochMilli(), key.repository().name(), key.digest(), key.scanner(),
                node.value()).update()) > 0;
    }

    /** Gives up this node's claims (it stops): another worker takes them at once. */
    void releaseClaims() {
        database.inTransaction(connection -> sql(connection,
                "UPDATE scans SET claimed_by = NULL, claimed_until = 0 WHERE claimed_by = ?", node.value()).update());
    }

    /** What the metrics show of the claims, at {@code now}. */
    ScanService.Claims claims(Instant now) {
        long at = now.toEpochMilli();
        return database.withConnection(connection -> sql(connection, """
                SELECT COALESCE(SUM(CASE WHEN claimed_by IS NOT NULL AND claimed_until >= ? THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN (claimed_by IS NOT NULL AND claimed_until < ?)
                                          OR (claimed_by IS NULL AND next_at < ?) THEN 1 ELSE 0 END), 0)
                FROM scans WHERE status IN ('queued', 'running')""", at, at, at - OVERDUE_MILLIS)
                .first(row -> new ScanService.Claims(row.getLong(1), row.getLong(2))).orElse(new ScanService.Claims(0, 0)));
    }

    /** How many scans are in each status ({@link #QUEUED}, {@link #RUNNING}, {@link #DONE}, {@link #FAILED}). */
    java.util.Map<String, Long> countsByStatus() {
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (String status : List.of(QUEUED, RUNNING, DONE, FAILED)) {
            counts.put(status, 0L);
        }
        database.withConnection(connection -> sql(connection, "SELECT status, COUNT(*) FROM scans GROUP BY status")
                .list(row -> java.util.Map.entry(row.getString(1), row.getLong(2))))
                .forEach(count -> counts.put(count.getKey(), count.getValue()));
        return counts;
    }

    /** Inside the caller's transaction: queues a scan per scanner unless one exists already. */
    void queue(Connection connection, Repository repository, Digest digest, List<String> scanners, Instant now)
            throws SQLException {
        for (String scanner : scanners) {
            sql(connection, """
                    INSERT INTO scans (repository_id, manifest_digest, scanner, status, requested_at, updated_at, next_at)
                    VALUES (%s, ?, ?, 'queued', ?, ?, ?)
                    ON CONFLICT (repository_id, manifest_digest, scanner) DO NOTHING""".formatted(REPOSITORY_ID),
                    repository.name(), digest, scanner, now.toEpochMilli(), now.toEpochMilli(), now.toEpochMilli()).update();
        }
    }

    /** Queues a fresh scan per scanner, replacing what an earlier scan left, when the manifest exists. */
    void requeue(Repository repository, Digest digest, List<String> scanners, Instant now) {
        database.inTransaction(connection -> {
            for (String scanner : scanners) {
                sql(connection, """
                        DELETE FROM scans WHERE repository_id = %s AND manifest_digest = ? AND scanner = ?"""
                        .formatted(REPOSITORY_ID), repository.name(), digest, scanner).update();
            }
            if (sql(connection, "SELECT 1 FROM manifests WHERE repository_id = " + REPOSITORY_ID + " AND digest = ?",
                    repository.name(), digest).exists()) {
                queue(connection, repository, digest, scanners, now);
            }
            return null;
        });
    }

    /** Scans to submit or to poll now, oldest first, claimed or not (what a worker would {@link #claim}). */
    List<Due> due(Instant now, int limit) {
        return due("s.status IN ('queued', 'running') AND s.next_at <= ?", List.of(now.toEpochMilli()), limit);
    }

    private List<Due> due(String condition, List<Object> values, int limit) {
        Object[] parameters = new Object[values.size() + 1];
        values.toArray(parameters);
        parameters[values.size()] = limit;
        return database.withConnection(connection -> sql(connection, """
                SELECT r.name, s.manifest_digest, s.scanner, s.status, s.attempts, s.scan_request_id, m.media_type, m.type_id,
                       (SELECT MIN(t.name) FROM tags t
                        WHERE t.repository_id = s.repository_id AND t.manifest_digest = s.manifest_digest)
                FROM scans s
                JOIN repositories r ON r.id = s.repository_id
                JOIN manifests m ON m.repository_id = s.repository_id AND m.digest = s.manifest_digest
                WHERE %s
                ORDER BY s.next_at LIMIT ?""".formatted(condition), parameters)
                .list(row -> new Due(new Key(Repository.of(row.getString(1)), Digest.parse(row.getString(2)), row.getString(3)),
                        row.getString(4), row.getInt(5), Optional.ofNullable(row.getString(6)), row.getString(7),
                        row.getString(8), Optional.ofNullable(row.getString(9)))));
    }

    /** The adapter accepted the scan: poll for its report from {@code nextAt}. */
    void submitted(Key key, String scanRequestId, Instant now, Instant nextAt) {
        update(key, "status = 'running', scan_request_id = ?, error = NULL, next_at = ?, updated_at = ?",
                scanRequestId, nextAt.toEpochMilli(), now.toEpochMilli());
    }

    /** Not yet: try again at {@code nextAt}, keeping the status; {@code note} says why (null for nothing wrong). */
    void later(Key key, Instant nextAt, String note, Instant now) {
        update(key, "error = ?, next_at = ?, updated_at = ?", note, nextAt.toEpochMilli(), now.toEpochMilli());
    }

    /** A failed attempt that may succeed later: {@code status} (queued to submit again), one more attempt, retry at {@code nextAt}. */
    void retry(Key key, String status, String error, Instant nextAt, Instant now) {
        update(key, "status = ?, attempts = attempts + 1, error = ?, next_at = ?, updated_at = ?",
                status, error, nextAt.toEpochMilli(), now.toEpochMilli());
    }

    void done(Key key, Summary summary, String reportMediaType, byte[] report, Instant now) {
        update(key, """
                status = 'done', error = NULL, n_critical = ?, n_high = ?, n_medium = ?, n_low = ?, n_unknown = ?,
                report_media_type = ?, report = ?, updated_at = ?""", summary.critical(), summary.high(),
                summary.medium(), summary.low(), summary.unknown(), reportMediaType, report, now.toEpochMilli());
    }

    void failed(Key key, String error, Instant now) {
        update(key, "status = 'failed', error = ?, updated_at = ?", error, now.toEpochMilli());
    }

    /** Every scan of the manifest, by scanner name; with the report when {@code withReport}. */
    List<Row> scans(Repository repository, Digest digest, boolean withReport) {
        return database.withConnection(connection -> sql(connection, """
                SELECT scanner, status, requested_at, updated_at, attempts, scan_request_id, error,
                       n_critical, n_high, n_medium, n_low, n_unknown, report_media_type, %s
                FROM scans WHERE repository_id = %s AND manifest_digest = ? ORDER BY scanner"""
                .formatted(withReport ? "report" : "NULL", REPOSITORY_ID), repository.name(), digest)
                .list(row -> new Row(new Key(repository, digest, row.getString(1)), row.getString(2),
                        Instant.ofEpochMilli(row.getLong(3)), Instant.ofEpochMilli(row.getLong(4)), row.getInt(5),
                        Optional.ofNullable(row.getString(6)), Optional.ofNullable(row.getString(7)), summary(row),
                        Optional.ofNullable(row.getString(13)), Optional.ofNullable(row.getBytes(14)))));
    }

    /** The child manifests of an index, with their types. */
    List<Child> children(Repository repository, Digest digest) {
        return database.withConnection(connection -> sql(connection, """
                SELECT c.child_digest, m.type_id FROM manifest_children c
                JOIN manifests m ON m.repository_id = c.repository_id AND m.digest = c.child_digest
                WHERE c.repository_id = %s AND c.manifest_digest = ? ORDER BY c.child_digest""".formatted(REPOSITORY_ID),
                repository.name(), digest)
                .list(row -> new Child(Digest.parse(row.getString(1)), row.getString(2))));
    }

    private static Optional<Summary> summary(ResultSet row) throws SQLException {
        long critical = row.getLong(8);
        if (row.wasNull()) {
            return Optional.empty();
        }
        return Optional.of(new Summary(critical, row.getLong(9), row.getLong(10), row.getLong(11), row.getLong(12)));
    }

    /** Records an outcome and releases the claim, unless another node claimed the scan meanwhile. */
    private void update(Key key, String assignments, Object... values) {
        Object[] parameters = new Object[values.length + 4];
        System.arraycopy(values, 0, parameters, 0, values.length);
        parameters[values.length] = key.repository().name();
        parameters[values.length + 1] = key.digest();
        parameters[values.length + 2] = key.scanner();
        parameters[values.length + 3] = node.value();
        database.inTransaction(connection -> sql(connection, "UPDATE scans SET " + assignments
                + ", claimed_by = NULL, claimed_until = 0 WHERE repository_id = " + REPOSITORY_ID
                + " AND manifest_digest = ? AND scanner = ? AND (claimed_by IS NULL OR claimed_by = ?)", parameters).update());
    }
}
