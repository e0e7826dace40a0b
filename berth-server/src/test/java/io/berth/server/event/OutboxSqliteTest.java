package io.berth.server.event;

import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The outbox contract on the embedded SQLite database. */
class OutboxSqliteTest extends OutboxContract {
    @TempDir
    Path directory;

    @Override
    DatabaseConfig emptyDatabase() {
        return TestDatabases.sqlite(directory);
    }
}
