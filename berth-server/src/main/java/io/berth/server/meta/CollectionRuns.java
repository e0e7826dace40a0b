package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code gc_runs} table: each garbage collection's report, kept for the API and the web UI. */
public final class CollectionRuns {
    private static final String COLUMNS = """
            id, started_at, finished_at, dry_run, status, blobs_examined, blobs_deleted, bytes_freed, links_deleted,
            orphan_files_deleted, missing_files, phases_json, error""";

    private final Database database;

    public CollectionRuns(Database database) {
        this.database = database;
    }

    /** Records a run that starts now; its id. */
    public long start(String holder, boolean dryRun, Instant startedAt) {
        return database.inTransaction(connection -> sql(connection, """
                INSERT INTO gc_runs (started_at, dry_run, status, holder) VALUES (?, ?, 'running', ?) RETURNING id""",
                startedAt.toEpochMilli(), dryRun ? 1 : 0, holder).first(row -> row.getLong(1)).orElseThrow());
    }

    /** Records how the run ended. */
    public void finish(CollectionRun run) {
        database.inTransaction(connection -> sql(connection, """
                UPDATE gc_runs SET finished_at = ?, status = ?, blobs_examined = ?, blobs_deleted = ?, bytes_freed = ?,
                                   links_deleted = ?, orphan_files_deleted = ?, missing_files = ?, phases_json = ?,
                                   error = ?
                WHERE id = ?""", run.finishedAt().map(Instant::toEpochMilli).orElse(null), run.status().id(),
                run.blobsExamined(), run.blobsDeleted(), run.bytesFreed(), run.linksDeleted(),
                run.orphanFilesDeleted(), run.missingFiles(), phasesText(run.phases()), run.error().orElse(null),
                run.id()).update());
    }

    public Optional<CollectionRun> find(long id) {
        return database.withConnection(connection -> sql(connection,
                "SELECT " + COLUMNS + " FROM gc_runs WHERE id = ?", id).first(CollectionRuns::run));
    }

    /** The most recent runs, newest first. */
    public List<CollectionRun> recent(int limit) {
        return database.withConnection(connection -> sql(connection,
                "SELECT " + COLUMNS + " FROM gc_runs ORDER BY id DESC LIMIT ?", limit).list(CollectionRuns::run));
    }

    private static CollectionRun run(ResultSet row) throws SQLException {
        long finished = row.getLong(3);
        Optional<Instant> finishedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        return new CollectionRun(row.getLong(1), Instant.ofEpochMilli(row.getLong(2)), finishedAt, row.getInt(4) != 0,
                CollectionRun.Status.of(row.getString(5)), row.getLong(6), row.getLong(7), row.getLong(8),
                row.getLong(9), row.getLong(10), row.getLong(11), phases(row.getString(12)),
                Optional.ofNullable(row.getString(13)));
    }

    /** Phases as {@code mark=12,sweep=30,repair=4} (milliseconds). */
    private static String phasesText(List<CollectionRun.Phase> phases) {
        StringBuilder text = new StringBuilder();
        for (CollectionRun.Phase phase : phases) {
            text.append(text.isEmpty() ? "" : ",").append(phase.name()).append('=').append(phase.duration().toMillis());
        }
        return text.toString();
    }

    private static List<CollectionRun.Phase> phases(String text) {
        List<CollectionRun.Phase> phases = new ArrayList<>();
        if (text == null || text.isBlank() || text.equals("[]")) {
            return phases;
        }
        for (String part : text.split(",")) {
            int equals = part.indexOf('=');
            phases.add(new CollectionRun.Phase(part.substring(0, equals),
                    Duration.ofMillis(Long.parseLong(part.substring(equals + 1)))));
        }
        return phases;
    }
}
