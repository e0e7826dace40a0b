package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code gc_lease} row: which collector may run now, across every node that shares the database. The holder
 * renews it while it works; a lease whose holder died expires and is taken over. Pausing is kept in the same row, so
 * that it holds for every node. The lease saves work, it does not make deletions safe: those are safe on their own
 * (see {@code io.berth.server.gc.Collector}), so two collectors running at once after a lost lease waste effort only.
 */
public final class CollectionLease {
    /** What {@link #acquire} found. */
    public sealed interface Outcome {
    }

    public record Acquired() implements Outcome {
    }

    /** Another collector holds the lease until {@code until}. */
    public record Held(String holder, Instant until) implements Outcome {
    }

    public record Paused() implements Outcome {
    }

    private final Database database;
    private final Clock clock;

    public CollectionLease(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Takes the lease for {@code ttl} when it is free or expired and collections are not paused. Runs recorded as
     * running by a holder that lost its lease (it died) are recorded as failed.
     */
    public Outcome acquire(String holder, Duration ttl) {
        return database.inTransaction(connection -> {
            long now = clock.millis();
            record Row(Optional<String> holder, long expiresAt, boolean paused) {
            }
            Row row = sql(connection, "SELECT holder, expires_at, paused FROM gc_lease WHERE id = 1"
                    + database.dialect().updateLock())
                    .first(r -> new Row(Optional.ofNullable(r.getString(1)), r.getLong(2), r.getInt(3) != 0))
                    .orElseThrow();
            if (row.paused()) {
                return new Paused();
            }
            // This holder's own lease is stale: its collector runs one collection at a time and has none running.
            if (row.holder().isPresent() && !row.holder().get().equals(holder) && row.expiresAt() >= now) {
                return new Held(row.holder().get(), Instant.ofEpochMilli(row.expiresAt()));
            }
            sql(connection, "UPDATE gc_lease SET holder = ?, expires_at = ? WHERE id = 1", holder, now + ttl.toMillis())
                    .update();
            sql(connection, """
                    UPDATE gc_runs SET status = 'failed', finished_at = ?,
                           error = 'the collection stopped before it finished: its node stopped or lost the lease'
                    WHERE status = 'running'""", now).update();
            return new Acquired();
        });
    }

    /** Extends the lease; false when this holder lost it (expired and taken over) or collections were paused. */
    public boolean renew(String holder, Duration ttl) {
        return database.inTransaction(connection -> sql(connection,
                "UPDATE gc_lease SET expires_at = ? WHERE id = 1 AND holder = ? AND paused = 0",
                clock.millis() + ttl.toMillis(), holder).update()) > 0;
    }

    public void release(String holder) {
        database.inTransaction(connection -> sql(connection,
                "UPDATE gc_lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ?", holder).update());
    }

    /** Pauses or resumes collections on every node; a running one stops at its next batch. */
    public void setPaused(boolean paused) {
        database.inTransaction(connection -> sql(connection, "UPDATE gc_lease SET paused = ? WHERE id = 1",
                paused ? 1 : 0).update());
    }

    public boolean paused() {
        return database.withConnection(connection -> sql(connection, "SELECT paused FROM gc_lease WHERE id = 1")
                .first(row -> row.getInt(1) != 0).orElse(false));
    }
}
