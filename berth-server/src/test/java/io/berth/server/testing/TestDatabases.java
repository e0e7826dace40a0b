package io.berth.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.meta.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Empty metadata databases for tests outside {@code io.berth.server.meta}: a SQLite file, or a PostgreSQL schema of
 * its own on the server named by {@code BERTH_TEST_POSTGRES_URL} ({@code _USER}, {@code _PASSWORD}), as
 * {@code JdbcMetadataPostgresTest} does. Without the URL a PostgreSQL test is skipped, except under {@code CI=true},
 * where it fails.
 */
public final class TestDatabases {
    private static final String URL = System.getenv("BERTH_TEST_POSTGRES_URL");
    private static final String USER = System.getenv("BERTH_TEST_POSTGRES_USER");
    private static final String PASSWORD = System.getenv("BERTH_TEST_POSTGRES_PASSWORD");

    private TestDatabases() {
    }

    public static DatabaseConfig sqlite(Path directory) {
        return new DatabaseConfig("jdbc:sqlite:" + directory.resolve("berth.db"), null, null, 8);
    }

    /** A fresh PostgreSQL schema; dropped by {@link PostgresSchema#close}. */
    public static PostgresSchema postgresSchema() {
        if (URL == null || URL.isBlank()) {
            String missing = "BERTH_TEST_POSTGRES_URL is not set: start PostgreSQL with eval \"$(.ci/postgres-start)\"";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort(missing + " (skipped outside CI)");
        }
        String schema = "berth_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        return new PostgresSchema(schema,
                new DatabaseConfig(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, USER, PASSWORD, 8));
    }

    /** A PostgreSQL schema for one test. */
    public record PostgresSchema(String name, DatabaseConfig config) implements AutoCloseable {
        @Override
        public void close() {
            execute("DROP SCHEMA " + name + " CASCADE");
        }
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(URL, USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
