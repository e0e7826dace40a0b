package io.berth.server.event;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.server.meta.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The event outbox: the {@code event_outbox}, {@code event_sequence} and {@code event_endpoints} tables. Events enter
 * it inside the transaction of the change that caused them ({@link #append}), one row per endpoint, already rendered;
 * each endpoint's {@link Deliverer} takes its pending rows in seq order and marks each delivered or failed.
 */
public final class Outbox {
    /** A pending delivery: the rendered body and how often sending it has failed so far. */
    public record Pending(long seq, String eventId, String contentType, byte[] body, int attempts) {
    }

    /**
     * An endpoint's delivery record.
     *
     * @param attempts failed attempts on the oldest pending event (0 when nothing is stuck)
     */
    public record Status(long pending, long delivered, long abandoned, long failedAttempts, int attempts,
                         Optional<Instant> oldestPending, Optional<Instant> lastSuccess, Optional<Instant> lastFailure,
                         Optional<String> lastError) {
    }

    private final Database database;

    public Outbox(Database database) {
        this.database = database;
    }

    /** Makes sure each endpoint has its delivery record. */
    public void register(List<String> endpoints) {
        database.inTransaction(connection -> {
            for (String endpoint : endpoints) {
                sql(connection, "INSERT INTO event_endpoints (name) VALUES (?) ON CONFLICT (name) DO NOTHING", endpoint).update();
            }
            return null;
        });
    }

    /**
     * Inside the caller's transaction: adds {@code event} for each of {@code endpoints}, rendered in its format, under
     * the next seq. Taking the seq locks the sequence row until the transaction ends, so seqs follow commit order.
     */
    public void append(Connection connection, Event event, List<EndpointConfig> endpoints, Instant now) throws SQLException {
        if (endpoints.isEmpty()) {
            return;
        }
        sql(connection, "UPDATE event_sequence SET last_seq = last_seq + 1 WHERE id = 1").update();
        long seq = sql(connection, "SELECT last_seq FROM event_sequence WHERE id = 1").first(row -> row.getLong(1))
                .orElseThrow(() -> new IllegalStateException("event_sequence has no row"));
        for (EndpointConfig endpoint : endpoints) {
            sql(connection, """
                    INSERT INTO event_outbox (endpoint, seq, event_id, action, repository, content_type, body, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", endpoint.name(), seq, event.id(), event.action().id(),
                    event.target().repository().name(), endpoint.format().contentType(), endpoint.format().render(event),
                    now.toEpochMilli()).update();
        }
    }

    /** In a transaction of its own: for events that change nothing else (pulls). */
    public void append(Event event, List<EndpointConfig> endpoints, Instant now) {
        if (!endpoints.isEmpty()) {
            database.inTransaction(connection -> {
                append(connection, event, endpoints, now);
                return null;
            });
        }
    }

    /** The oldest {@code limit} pending deliveries to {@code endpoint}, in seq order. */
    public List<Pending> pending(String endpoint, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT seq, event_id, content_type, body, attempts FROM event_outbox
                WHERE endpoint = ? AND state = 'pending' ORDER BY seq LIMIT ?""", endpoint, limit)
                .list(row -> new Pending(row.getLong(1), row.getString(2), row.getString(3), row.getBytes(4), row.getInt(5))));
    }

    public void delivered(String endpoint, long seq, Instant now) {
        database.inTransaction(connection -> {
            if (sql(connection, """
                    UPDATE event_outbox SET state = 'delivered', finished_at = ?
                    WHERE endpoint = ? AND seq = ? AND state = 'pending'""", now.toEpochMilli(), endpoint, seq).update() > 0) {
                sql(connection, "UPDATE event_endpoints SET delivered = delivered + 1, last_success_at = ? WHERE name = ?",
                        now.toEpochMilli(), endpoint).update();
            }
            return null;
        });
    }

    /** Records a failed attempt; the event stays pending. Returns its failed attempts so far. */
    public int failed(String endpoint, long seq, String error, Instant now) {
        return database.inTransaction(connection -> {
            sql(connection, "UPDATE event_outbox SET attempts = attempts + 1 WHERE endpoint = ? AND seq = ?", endpoint, seq)
                    .update();
            sql(connection, """
                    UPDATE event_endpoints SET failed_attempts = failed_attempts + 1, last_failure_at = ?, last_error = ?
                    WHERE name = ?""", now.toEpochMilli(), truncate(error), endpoint).update();
            return sql(connection, "SELECT attempts FROM event_outbox WHERE endpoint = ? AND seq = ?", endpoint, seq)
                    .first(row -> row.getInt(1)).orElse(0);
        });
    }

    /** Gives up on an event after the endpoint's {@code maxRetries}; it stays visible as abandoned. */
    public void abandoned(String endpoint, long seq, Instant now) {
        database.inTransaction(connection -> sql(connection, """
                UPDATE event_outbox SET state = 'abandoned', finished_at = ?
                WHERE endpoint = ? AND seq = ? AND state = 'pending'""", now.toEpochMilli(), endpoint, seq).update());
    }

    /** Deletes delivered rows finished before {@code deliveredBefore} and abandoned ones before {@code abandonedBefore}. */
    public int prune(String endpoint, Instant deliveredBefore, Instant abandonedBefore) {
        return database.inTransaction(connection -> sql(connection, """
                DELETE FROM event_outbox WHERE endpoint = ?
                AND ((state = 'delivered' AND finished_at < ?) OR (state = 'abandoned' AND finished_at < ?))""",
                endpoint, deliveredBefore.toEpochMilli(), abandonedBefore.toEpochMilli()).update());
    }

    public Status status(String endpoint) {
        return database.withConnection(connection -> {
            long pending = count(connection, endpoint, "pending");
            long abandoned = count(connection, endpoint, "abandoned");
            Optional<Head> head = sql(connection, """
                    SELECT attempts, created_at FROM event_outbox
                    WHERE endpoint = ? AND state = 'pending' ORDER BY seq LIMIT 1""", endpoint)
                    .first(row -> new Head(row.getInt(1), row.getLong(2)));
            return sql(connection, """
                    SELECT delivered, failed_attempts, last_success_at, last_failure_at, last_error
                    FROM event_endpoints WHERE name = ?""", endpoint)
                    .first(row -> new Status(pending, row.getLong(1), abandoned, row.getLong(2),
                            head.map(Head::attempts).orElse(0),
                            head.map(h -> Instant.ofEpochMilli(h.createdAt())),
                            instant(row, 3), instant(row, 4), Optional.ofNullable(row.getString(5))))
                    .orElse(new Status(pending, 0, abandoned, 0, head.map(Head::attempts).orElse(0),
                            head.map(h -> Instant.ofEpochMilli(h.createdAt())), Optional.empty(), Optional.empty(),
                            Optional.empty()));
        });
    }

    /** Endpoints with pending events, by name: also those no longer configured, whose events wait for their return. */
    public List<String> endpointsWithPending() {
        return database.withConnection(connection -> sql(connection,
                "SELECT DISTINCT endpoint FROM event_outbox WHERE state = 'pending' ORDER BY endpoint")
                .list(row -> row.getString(1)));
    }

    private record Head(int attempts, long createdAt) {
    }

    private static long count(Connection connection, String endpoint, String state) throws SQLException {
        return sql(connection, "SELECT COUNT(*) FROM event_outbox WHERE endpoint = ? AND state = ?", endpoint, state)
                .first(row -> row.getLong(1)).orElse(0L);
    }

    private static Optional<Instant> instant(ResultSet row, int column) throws SQLException {
        long millis = row.getLong(column);
        return row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static String truncate(String error) {
        return error == null ? "" : error.length() > 500 ? error.substring(0, 500) + "…" : error;
    }
}
