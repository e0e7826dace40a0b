package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The leases of background work across the nodes sharing the database, as the metrics show them: the named
 * {@link JobLease}s and garbage collection's {@link CollectionLease} (as job {@code gc}, also held by retention runs).
 */
public final class BackgroundJobs {
    private final Database database;

    public BackgroundJobs(Database database) {
        this.database = database;
    }

    /** Every lease held now, or left unreleased by a node that died (then expired). */
    public List<JobLease.Holding> leases() {
        List<JobLease.Holding> all = new ArrayList<>(JobLease.holdings(database));
        database.withConnection(connection -> sql(connection,
                "SELECT holder, expires_at FROM gc_lease WHERE id = 1 AND holder IS NOT NULL")
                .first(row -> all.add(new JobLease.Holding("gc", row.getString(1), Instant.EPOCH,
                        Instant.ofEpochMilli(row.getLong(2))))));
        return all;
    }
}
