package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code cluster_nodes} table: the nodes using this database, each seen again every few seconds
 * ({@link #heartbeat}), with the id of the key it signs tokens with. A node is live while it was seen within
 * {@link #LIVE}: what the start-up check of the signing key and the metrics count.
 */
public final class ClusterNodes {
    /** A node not seen for this long is taken for stopped. */
    public static final Duration LIVE = Duration.ofSeconds(15);
    /** How often a node marks itself seen. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);

    /** Another live node that signs with a different key. */
    public record Disagreement(String node, String signingKeyId) {
    }

    private final Database database;
    private final NodeId node;
    private final Clock clock;

    public ClusterNodes(Database database, NodeId node, Clock clock) {
        this.database = database;
        this.node = node;
        this.clock = clock;
    }

    /**
     * Records this node as started, signing with {@code signingKeyId} (empty without a token service); returns a live
     * node that signs with another key, if there is one (then nothing is recorded).
     */
    public Optional<Disagreement> join(Optional<String> signingKeyId) {
        long now = clock.millis();
        return database.inTransaction(connection -> {
            if (signingKeyId.isPresent()) {
                Optional<Disagreement> other = sql(connection, """
                        SELECT node, signing_key_id FROM cluster_nodes
                        WHERE node <> ? AND last_seen_at >= ? AND signing_key_id IS NOT NULL AND signing_key_id <> ?
                        ORDER BY last_seen_at DESC LIMIT 1""", node.value(), now - LIVE.toMillis(), signingKeyId.get())
                        .first(row -> new Disagreement(row.getString(1), row.getString(2)));
                if (other.isPresent()) {
                    return other;
                }
            }
            sql(connection, """
                    INSERT INTO cluster_nodes (node, started_at, last_seen_at, signing_key_id) VALUES (?, ?, ?, ?)
                    ON CONFLICT (node) DO UPDATE SET started_at = excluded.started_at,
                        last_seen_at = excluded.last_seen_at, signing_key_id = excluded.signing_key_id""",
                    node.value(), now, now, signingKeyId.orElse(null)).update();
            sql(connection, "DELETE FROM cluster_nodes WHERE last_seen_at < ?", now - Duration.ofDays(1).toMillis()).update();
            return Optional.<Disagreement>empty();
        });
    }

    /** Marks this node seen now. */
    public void heartbeat() {
        database.inTransaction(connection -> sql(connection, "UPDATE cluster_nodes SET last_seen_at = ? WHERE node = ?",
                clock.millis(), node.value()).update());
    }

    /** This node stops: it no longer counts as live. */
    public void leave() {
        database.inTransaction(connection -> sql(connection, "DELETE FROM cluster_nodes WHERE node = ?", node.value())
                .update());
    }

    /** The live nodes, by id. */
    public List<String> live() {
        return database.withConnection(connection -> sql(connection,
                "SELECT node FROM cluster_nodes WHERE last_seen_at >= ? ORDER BY node", clock.millis() - LIVE.toMillis())
                .list(row -> row.getString(1)));
    }
}
