package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.berth.server.startup.ConfigException;
import io.berth.server.startup.Preflight;
import io.berth.server.testing.TestDatabases;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DatabaseCheck}: a database the registry cannot use is one line that names it and says what to do. */
class DatabaseCheckTest {
    @TempDir
    Path directory;

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aPostgresqlServerThatDoesNotAnswerIsNamedWithItsAddressAndNoPassword() throws IOException {
        int port = closedPort();
        Preflight preflight = Preflight.live();
        DatabaseCheck.check(new DatabaseConfig("jdbc:postgresql://127.0.0.1:" + port + "/berth?password=secret",
                "berth", "secret", 2), "database.url", directory, preflight);

        assertThat(preflight.problems()).containsExactly("database jdbc:postgresql://127.0.0.1:" + port + "/berth"
                + " (database.url): cannot connect to 127.0.0.1:" + port + " (Connection refused); start PostgreSQL"
                + " there or fix database.url");
        assertThat(preflight.causes()).singleElement().isInstanceOf(java.sql.SQLException.class);
    }

    /** Against the test PostgreSQL (skipped without it, except under CI=true): a wrong password, a missing database. */
    @Test
    void aPostgresqlServerThatRefusesTheUserOrLacksTheDatabaseSaysSo() {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema()) {
            DatabaseConfig good = schema.config();
            String bare = good.url().substring(0, good.url().indexOf('?'));
            String missing = bare.substring(0, bare.lastIndexOf('/')) + "/berth_missing_database";
            Preflight preflight = Preflight.live();
            DatabaseCheck.check(good, "database.url", directory, preflight);
            DatabaseCheck.check(new DatabaseConfig(good.url(), good.username(), "not-the-password", 2), "database.url",
                    directory, preflight);
            DatabaseCheck.check(new DatabaseConfig(missing, good.username(), good.password(), 2), "BERTH_DATABASE_URL",
                    directory, preflight);

            assertThat(preflight.problems()).hasSize(2);
            assertThat(preflight.problems().get(0)).startsWith("database " + bare + " (database.url) refused user "
                    + good.username() + " (").endsWith("); fix database.username and database.password"
                    + " (BERTH_DATABASE_USERNAME, BERTH_DATABASE_PASSWORD)").doesNotContain("not-the-password");
            assertThat(preflight.problems().get(1)).startsWith("database " + missing + " (BERTH_DATABASE_URL) does not"
                    + " exist on the server (").endsWith("); create it (createdb) or fix BERTH_DATABASE_URL");
        }
    }

    /** As root every file is writable: this one runs for other users, as an operator's account would be. */
    @Test
    void anSqliteFileTheUserMayNotWriteIsNamed() throws IOException {
        String user = System.getProperty("user.name");
        org.junit.jupiter.api.Assumptions.assumeFalse(user.equals("root"), "root writes into read-only files");
        Database.open(DatabaseConfig.sqlite(directory)).close();
        Path file = directory.resolve("berth.db");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        Preflight preflight = Preflight.live();
        DatabaseCheck.check(DatabaseConfig.sqlite(directory), "--data", directory, preflight);

        assertThat(preflight.problems()).containsExactly("database file " + file + " (--data) is not writable by user "
                + user + "; give that user read and write access to it and its directory");
    }

    @Test
    void anSqliteFileThatIsAWritableDatabaseOrNotThereYetPasses() {
        Path file = directory.resolve("berth.db");
        Preflight preflight = Preflight.live();
        DatabaseCheck.check(DatabaseConfig.sqlite(directory), "--data", directory, preflight);
        Database.open(DatabaseConfig.sqlite(directory)).close();
        DatabaseCheck.check(DatabaseConfig.sqlite(directory), "--data", directory, preflight);

        assertThat(preflight.problems()).isEmpty();
        assertThat(file).isRegularFile();
    }

    @Test
    void aDirectoryWhereTheSqliteFileShouldBeIsNamed() throws IOException {
        Files.createDirectory(directory.resolve("berth.db"));
        Preflight preflight = Preflight.live();
        DatabaseCheck.check(DatabaseConfig.sqlite(directory), "--data", directory, preflight);

        assertThat(preflight.problems()).containsExactly("database file " + directory.resolve("berth.db")
                + " (--data) is a directory; move it away or point --data elsewhere");
    }

    /** A file that is not SQLite's passes the check (only SQLite can tell) and fails Flyway: one line, not a trace. */
    @Test
    void aFileThatIsNotAnSqliteDatabaseFailsToOpenWithOneLine() throws IOException {
        Path file = Files.writeString(directory.resolve("berth.db"), "not a database, but long enough to be read as"
                + " one: SQLite reads its 100-byte header before it says so ......................................");
        DatabaseConfig config = DatabaseConfig.sqlite(directory);

        RuntimeException failure = catchThrowableOfType(() -> Database.open(config), RuntimeException.class);
        ConfigException problem = DatabaseCheck.openFailure(config, failure);

        assertThat(problem.problems()).singleElement().asString()
                .startsWith("database file " + file + " is not an SQLite database or is damaged (")
                .contains("not a database")
                .endsWith("); move it away (a new one is created) or restore it from a backup")
                .doesNotContain("\n");
        assertThat(problem).hasCause(failure);
    }

    /** SQLite's own read-only answer, as a file it may not write gives it, in the words an operator reads. */
    @Test
    void aDatabaseSqliteMayNotWriteIsNotWritable() throws Exception {
        Path file = directory.resolve("berth.db");
        Database.open(DatabaseConfig.sqlite(directory)).close();
        org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
        readOnly.setReadOnly(true);
        RuntimeException failure;
        try (var connection = readOnly.createConnection("jdbc:sqlite:" + file);
             var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (x INTEGER)");
            throw new AssertionError("a read-only connection wrote");
        } catch (java.sql.SQLException e) {
            failure = new org.flywaydb.core.api.FlywayException("Unable to create table", e); // as Flyway wraps it
        }

        assertThat(DatabaseCheck.openFailure(DatabaseConfig.sqlite(directory), failure).problems()).singleElement()
                .asString().startsWith("database file " + file + " is not writable (")
                .endsWith("); give user " + System.getProperty("user.name") + " write access to it and its directory");
    }
}
