package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.time.Instant;
import java.util.Optional;

/**
 * The {@code read_only_mode} row: the operator's read-only mode, shared by every node of the database. Changing it
 * signals the other nodes ({@link ChangeFeed.Topic#READ_ONLY}), which read it again.
 */
public final class ReadOnlyRecord {
    /** Read-only mode as stored: why, and since when. */
    public record Stored(String reason, Instant since) {
    }

    private final Database database;
    private final ChangeFeed feed;

    public ReadOnlyRecord(Database database, ChangeFeed feed) {
        this.database = database;
        this.feed = feed;
    }

    /** Read-only mode now, empty when off. */
    public Optional<Stored> load() {
        return database.withConnection(connection -> sql(connection, "SELECT reason, since FROM read_only_mode WHERE id = 1")
                .first(row -> {
                    String reason = row.getString(1);
                    return reason == null ? Optional.<Stored>empty()
                            : Optional.of(new Stored(reason, Instant.ofEpochMilli(row.getLong(2))));
                }))
                .flatMap(stored -> stored);
    }

    /** Switches it on (with why, since when) or off ({@code empty}) for every node. */
    public void save(Optional<Stored> mode) {
        database.inTransaction(connection -> {
            sql(connection, "UPDATE read_only_mode SET reason = ?, since = ? WHERE id = 1",
                    mode.map(Stored::reason).orElse(null), mode.map(m -> m.since().toEpochMilli()).orElse(0L)).update();
            feed.publish(connection, ChangeFeed.Topic.READ_ONLY, mode.isPresent() ? "on" : "off");
            return null;
        });
    }
}
