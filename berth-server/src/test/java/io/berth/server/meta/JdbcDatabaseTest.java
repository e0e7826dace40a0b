package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.meta.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Database} on SQLite: file placement, connection settings, migrations and the transaction helper. */
class JdbcDatabaseTest {
    @TempDir
    Path directory;

    private DatabaseConfig sqliteIn(Path file) {
        return new DatabaseConfig("jdbc:sqlite:" + file, null, null, 4);
    }

    @Test
    void createsTheParentDirectoriesOfTheDatabaseFile() {
        Path file = directory.resolve("not/yet/there/berth.db");
        try (Database database = Database.open(sqliteIn(file))) {
            assertThat(database.dataSource()).isNotNull();
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void everyPooledConnectionIsDurableWaitsWhenBusyEnforcesForeignKeysAndKeepsABoundedPageCache() {
        try (Database database = Database.open(sqliteIn(directory.resolve("berth.db")))) {
            database.withConnection(connection -> {
                assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(connection, "synchronous")).isEqualTo("2"); // FULL
                assertThat(pragma(connection, "foreign_keys")).isEqualTo("1");
                assertThat(Integer.parseInt(pragma(connection, "busy_timeout"))).isGreaterThanOrEqualTo(10_000);
                assertThat(pragma(connection, "cache_size")).isEqualTo("-4096"); // KiB; SQLite's default is -2000
                return null;
            });
        }
    }

    @Test
    void migrationsRunOnceAndTheSchemaSurvivesReopening() {
        Path file = directory.resolve("berth.db");
        String applied = "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1";
        int migrationsAtCreation;
        try (Database database = Database.open(sqliteIn(file))) {
            database.inTransaction(connection -> update(connection,
                    "INSERT INTO uploads (id, repository, started_at) VALUES ('u1', 'app', 1)"));
            migrationsAtCreation = database.withConnection(connection -> count(connection, applied));
        }
        try (Database database = Database.open(sqliteIn(file))) {
            int uploads = database.withConnection(connection -> count(connection, "SELECT COUNT(*) FROM uploads"));
            int migrations = database.withConnection(connection -> count(connection, applied));
            assertThat(uploads).isEqualTo(1);
            assertThat(migrationsAtCreation).as("every migration applied on creation").isGreaterThanOrEqualTo(2);
            assertThat(migrations).as("reopening applies nothing again").isEqualTo(migrationsAtCreation);
        }
    }

    @Test
    void migrationsDoNotWaitForTheDiskButRegistryWritesDo() throws SQLException {
        DatabaseConfig config = sqliteIn(directory.resolve("berth.db"));
        try (Connection migrating = Dialect.SQLITE.migrationDataSource(config).getConnection();
             Connection writing = Dialect.SQLITE.unpooledDataSource(config).getConnection()) {
            assertThat(pragma(migrating, "synchronous")).isEqualTo("1"); // NORMAL: safe in WAL mode, not yet durable
            assertThat(pragma(writing, "synchronous")).isEqualTo("2"); // FULL: its commit syncs the log, schema included
            assertThat(pragma(migrating, "journal_mode")).isEqualTo("wal");
        }
    }

    @Test
    void theNamedMigrationScriptsAreExactlyThoseInTheMigrationFolder() throws Exception {
        Path folder = Path.of(Database.class.getResource("/db/migration").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Database.MIGRATION_SCRIPTS);
        }
        try (Database database = Database.open(sqliteIn(directory.resolve("berth.db")))) {
            int applied = database.withConnection(connection -> count(connection,
                    "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND script LIKE 'V%'"));
            assertThat(applied).isEqualTo(Database.MIGRATION_SCRIPTS.size());
        }
    }

    @Test
    void aFailingTransactionIsRolledBackAndItsSqlExceptionTranslated() {
        try (Database database = Database.open(sqliteIn(directory.resolve("berth.db")))) {
            assertThatThrownBy(() -> database.inTransaction(connection -> {
                update(connection, "INSERT INTO uploads (id, repository, started_at) VALUES ('u1', 'app', 1)");
                return update(connection, "INSERT INTO no_such_table VALUES (1)");
            })).isInstanceOf(DatabaseException.class).hasCauseInstanceOf(SQLException.class);

            IllegalStateException thrown = new IllegalStateException("work failed");
            assertThatThrownBy(() -> database.inTransaction(connection -> {
                update(connection, "INSERT INTO uploads (id, repository, started_at) VALUES ('u2', 'app', 1)");
                throw thrown;
            })).isSameAs(thrown);

            int uploads = database.withConnection(connection -> count(connection, "SELECT COUNT(*) FROM uploads"));
            assertThat(uploads).isZero();
            int inserted = database.inTransaction(connection -> update(connection,
                    "INSERT INTO uploads (id, repository, started_at) VALUES ('u3', 'app', 1)"));
            assertThat(inserted).isEqualTo(1);
        }
    }

    @Test
    void refusesAPrivateInMemoryDatabaseThatAPoolCannotShare() {
        assertThatThrownBy(() -> Database.open(new DatabaseConfig("jdbc:sqlite::memory:", null, null, 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(directory.resolve(":memory:"))).isFalse();
    }

    private static String pragma(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("PRAGMA " + name)) {
            row.next();
            return row.getString(1);
        }
    }

    private static int update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    private static int count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getInt(1);
        }
    }
}
