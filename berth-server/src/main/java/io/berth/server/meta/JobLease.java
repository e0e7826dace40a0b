package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A named lease in {@code job_leases}: background work that must run on one node at a time across every node sharing
 * the database (a webhook endpoint's sender, the upload expiry). The holder takes it for a time to live and
 * renews it while it works; when its node dies the lease expires and another node takes it over; a node that stops
 * {@link #release}s it so that another takes over at once. A holder that finds its own lease (a restart under the same
 * {@link NodeId}) takes it back. Garbage collection and retention use {@link CollectionLease}, which also pauses.
 */
public final class JobLease {
    /** Who holds a lease, since when and until when: what the metrics show. */
    public record Holding(String name, String holder, Instant acquiredAt, Instant expiresAt) {
    }

    private final Database database;
    private final String name;
    private final NodeId node;
    private final Clock clock;

    public JobLease(Database database, String name, NodeId node, Clock clock) {
        this.database = database;
        this.name = name;
        this.node = node;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    /**
     * Takes the lease for {@code ttl}, or extends it when this node holds it already; false while another node holds
     * it. One statement each way, so that two nodes racing for a free lease cannot both win: the insert of the first
     * commits, the second's conflicts and its conditional update finds the lease held.
     */
    public boolean acquire(Duration ttl) {
        long now = clock.millis();
        long until = now + ttl.toMillis();
        return database.inTransaction(connection -> {
            sql(connection, "INSERT INTO job_leases (name, holder, expires_at, acquired_at) VALUES (?, NULL, 0, 0)"
                    + " ON CONFLICT (name) DO NOTHING", name).update();
            if (sql(connection, "UPDATE job_leases SET expires_at = ? WHERE name = ? AND holder = ?",
                    until, name, node.value()).update() > 0) {
                return true;
            }
            return sql(connection, """
                    UPDATE job_leases SET holder = ?, expires_at = ?, acquired_at = ?
                    WHERE name = ? AND (holder IS NULL OR expires_at < ?)""",
                    node.value(), until, now, name, now).update() > 0;
        });
    }

    /** Gives the lease up (when this node holds it), so that another node takes over without waiting for it to expire. */
    public void release() {
        database.inTransaction(connection -> sql(connection,
                "UPDATE job_leases SET holder = NULL, expires_at = 0 WHERE name = ? AND holder = ?",
                name, node.value()).update());
    }

    /** Every lease held now or left unreleased by a node that died. */
    public static List<Holding> holdings(Database database) {
        return database.withConnection(connection -> sql(connection,
                "SELECT name, holder, acquired_at, expires_at FROM job_leases WHERE holder IS NOT NULL ORDER BY name")
                .list(row -> new Holding(row.getString(1), row.getString(2), Instant.ofEpochMilli(row.getLong(3)),
                        Instant.ofEpochMilli(row.getLong(4)))));
    }

    /** Who holds this lease, if anyone (possibly expired). */
    public Optional<Holding> holding() {
        return database.withConnection(connection -> sql(connection,
                "SELECT name, holder, acquired_at, expires_at FROM job_leases WHERE name = ? AND holder IS NOT NULL", name)
                .first(row -> new Holding(row.getString(1), row.getString(2), Instant.ofEpochMilli(row.getLong(3)),
                        Instant.ofEpochMilli(row.getLong(4)))));
    }
}
