package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Digest;
import java.util.List;

/**
 * The live blobs the database records, page by page, for a scrub to check against the storage; and the one-row
 * write with which readiness checks that the database takes writes ({@code readiness_probe}, migration V9).
 */
public final class BlobInventory {
    /** A blob as recorded: what its bytes must hash to, and how many there must be. */
    public record RecordedBlob(Digest digest, long size) {
    }

    private final Database database;

    public BlobInventory(Database database) {
        this.database = database;
    }

    /** Up to {@code limit} live blobs after {@code after} by digest ({@code ""} for the first page). */
    public List<RecordedBlob> page(String after, int limit) {
        return database.withConnection(connection -> sql(connection, """
                SELECT digest, size FROM blobs WHERE state = 'live' AND digest > ? ORDER BY digest LIMIT ?""",
                after, limit).list(row -> new RecordedBlob(Digest.parse(row.getString(1)), row.getLong(2))));
    }

    /** Commits a one-row update: throws when the database cannot take writes (its disk full, read-only, gone). */
    public void checkWritable(long now) {
        database.inTransaction(connection -> sql(connection,
                "UPDATE readiness_probe SET checked_at = ? WHERE id = 1", now).update());
    }
}
