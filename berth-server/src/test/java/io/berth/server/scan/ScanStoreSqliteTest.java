package io.berth.server.scan;

import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The scan store contract on the embedded SQLite database. */
class ScanStoreSqliteTest extends ScanStoreContract {
    @TempDir
    Path directory;

    @Override
    DatabaseConfig emptyDatabase() {
        return TestDatabases.sqlite(directory);
    }
}
