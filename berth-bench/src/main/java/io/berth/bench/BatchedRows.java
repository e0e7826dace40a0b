package io.berth.bench;

import io.berth.server.meta.Database;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched inserts of one statement through Berth's {@link Database}, for the stores the benchmarks make directly
 * ({@link GcStore}, {@link ScaleStore}): JDBC batches of {@value #BATCH} rows, committed every {@value #BATCH} × 20
 * rows; the rows of {@code parent} (whose keys these reference) are flushed first.
 */
final class BatchedRows {
    static final int BATCH = 5_000;

    private final Database database;
    private final String sql;
    private final BatchedRows parent;
    private final List<Object[]> pending = new ArrayList<>();
    private long written;

    BatchedRows(Database database, String sql) {
        this(database, sql, null);
    }

    BatchedRows(Database database, String sql, BatchedRows parent) {
        this.database = database;
        this.sql = sql;
        this.parent = parent;
    }

    void add(Object... values) {
        pending.add(values);
        if (pending.size() >= BATCH * 20) {
            flush();
        }
    }

    /** How many rows were added so far. */
    long count() {
        return written + pending.size();
    }

    void flush() {
        if (parent != null) {
            parent.flush();
        }
        if (pending.isEmpty()) {
            return;
        }
        database.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (int i = 0; i < pending.size(); i++) {
                    Object[] row = pending.get(i);
                    for (int c = 0; c < row.length; c++) {
                        insert.setObject(c + 1, row[c]);
                    }
                    insert.addBatch();
                    if ((i + 1) % BATCH == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            return null;
        });
        written += pending.size();
        pending.clear();
    }
}
