package io.berth.server.meta;

import io.berth.server.meta.DatabaseConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The metadata contract on the embedded SQLite database, a new file per test. */
class JdbcMetadataSqliteTest extends JdbcMetadataContract {
    @TempDir
    Path directory;

    @Override
    DatabaseConfig emptyDatabase() {
        return new DatabaseConfig("jdbc:sqlite:" + directory.resolve("data/berth.db"), null, null, 8);
    }
}
