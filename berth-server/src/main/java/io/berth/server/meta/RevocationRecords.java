package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code token_revocations} table: for each signed-out subject, the epoch second before which its tokens are
 * refused, shared by every node. A revocation signals the other nodes ({@link ChangeFeed.Topic#REVOCATIONS}), which
 * read the table again.
 */
public final class RevocationRecords {
    private final Database database;
    private final ChangeFeed feed;

    public RevocationRecords(Database database, ChangeFeed feed) {
        this.database = database;
        this.feed = feed;
    }

    /** Subject to not-before epoch second. */
    public Map<String, Long> all() {
        Map<String, Long> all = new LinkedHashMap<>();
        database.withConnection(connection -> sql(connection, "SELECT subject, not_before FROM token_revocations")
                .list(row -> all.put(row.getString(1), row.getLong(2))));
        return all;
    }

    /** Records (or moves later) {@code subject}'s not-before, and drops entries older than {@code dropBefore}. */
    public void revoke(String subject, long notBeforeSecond, long dropBeforeSecond) {
        database.inTransaction(connection -> {
            sql(connection, """
                    INSERT INTO token_revocations (subject, not_before) VALUES (?, ?)
                    ON CONFLICT (subject) DO UPDATE SET not_before = CASE WHEN excluded.not_before > token_revocations.not_before
                        THEN excluded.not_before ELSE token_revocations.not_before END""", subject, notBeforeSecond).update();
            sql(connection, "DELETE FROM token_revocations WHERE not_before < ?", dropBeforeSecond).update();
            feed.publish(connection, ChangeFeed.Topic.REVOCATIONS, subject);
            return null;
        });
    }
}
