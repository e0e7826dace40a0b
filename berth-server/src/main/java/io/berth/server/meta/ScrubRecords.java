package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code scrub_runs} table: each scrub's report, written while it runs, read by every node. Its writer holds the
 * {@code scrub} {@link JobLease}, so a run found unfinished when a scrub starts belongs to a node that died.
 */
public final class ScrubRecords {
    private static final String COLUMNS = """
            id, node, started_at, finished_at, blobs_checked, bytes_checked, corrupt_count, missing_count,
            corrupt_digests, missing_digests, error""";

    /** A scrub as recorded; {@code finishedAt} empty while it runs. */
    public record Stored(long id, String node, Instant startedAt, Optional<Instant> finishedAt, long blobsChecked,
                         long bytesChecked, long corruptCount, long missingCount, List<String> corruptDigests,
                         List<String> missingDigests, Optional<String> error) {
    }

    private final Database database;

    public ScrubRecords(Database database) {
        this.database = database;
    }

    /** Records a scrub starting now on {@code node}, and ends the runs a dead node left unfinished; its id. */
    public long start(NodeId node, Instant startedAt) {
        return database.inTransaction(connection -> {
            sql(connection, """
                    UPDATE scrub_runs SET finished_at = ?, error = 'the scrub stopped before it finished: its node stopped'
                    WHERE finished_at IS NULL""", startedAt.toEpochMilli()).update();
            return sql(connection, "INSERT INTO scrub_runs (node, started_at) VALUES (?, ?) RETURNING id",
                    node.value(), startedAt.toEpochMilli()).first(row -> row.getLong(1)).orElseThrow();
        });
    }

    /** Writes a run's figures so far, or final ones with its end. */
    public void save(Stored run) {
        database.inTransaction(connection -> sql(connection, """
                UPDATE scrub_runs SET finished_at = ?, blobs_checked = ?, bytes_checked = ?, corrupt_count = ?,
                                      missing_count = ?, corrupt_digests = ?, missing_digests = ?, error = ?
                WHERE id = ?""", run.finishedAt().map(Instant::toEpochMilli).orElse(null), run.blobsChecked(),
                run.bytesChecked(), run.corruptCount(), run.missingCount(), String.join(",", run.corruptDigests()),
                String.join(",", run.missingDigests()), run.error().orElse(null), run.id()).update());
    }

    /** The most recent runs of every node, newest first. */
    public List<Stored> recent(int limit) {
        return database.withConnection(connection -> sql(connection,
                "SELECT " + COLUMNS + " FROM scrub_runs ORDER BY id DESC LIMIT ?", limit).list(ScrubRecords::stored));
    }

    private static Stored stored(ResultSet row) throws SQLException {
        long finished = row.getLong(4);
        Optional<Instant> finishedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        return new Stored(row.getLong(1), row.getString(2), Instant.ofEpochMilli(row.getLong(3)), finishedAt,
                row.getLong(5), row.getLong(6), row.getLong(7), row.getLong(8), digests(row.getString(9)),
                digests(row.getString(10)), Optional.ofNullable(row.getString(11)));
    }

    private static List<String> digests(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }
}
