package io.berth.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL schema of its own for one test, on the server named by {@code BERTH_TEST_POSTGRES_URL}
 * ({@code _USER}, {@code _PASSWORD}) that {@code .ci/postgres-start} starts, as berth-server's {@code TestDatabases}
 * gives its tests: without the URL the test is skipped, except under {@code CI=true}, where it fails.
 *
 * @param url the JDBC URL with {@code currentSchema} set to the schema
 */
record PostgresSchema(String name, String url, String user, String password) implements AutoCloseable {
    private static final String URL = System.getenv("BERTH_TEST_POSTGRES_URL");
    private static final String USER = System.getenv("BERTH_TEST_POSTGRES_USER");
    private static final String PASSWORD = System.getenv("BERTH_TEST_POSTGRES_PASSWORD");

    static PostgresSchema create() {
        if (URL == null || URL.isBlank()) {
            String missing = "BERTH_TEST_POSTGRES_URL is not set: start PostgreSQL with eval \"$(.ci/postgres-start)\"";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort(missing + " (skipped outside CI)");
        }
        String schema = "berth_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        return new PostgresSchema(schema, URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, USER,
                PASSWORD);
    }

    @Override
    public void close() {
        execute("DROP SCHEMA " + name + " CASCADE");
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
