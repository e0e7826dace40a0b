package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.meta.DatabaseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The metadata contract on PostgreSQL, each test in a schema of its own that is dropped afterwards. The server is
 * named by {@code BERTH_TEST_POSTGRES_URL}, {@code BERTH_TEST_POSTGRES_USER} and
 * {@code BERTH_TEST_POSTGRES_PASSWORD} ({@code eval "$(.ci/postgres-start)"} starts one and prints them). Without
 * the URL each test is skipped, except under {@code CI=true}, where each fails.
 */
class JdbcMetadataPostgresTest extends JdbcMetadataContract {
    private static final String URL = System.getenv("BERTH_TEST_POSTGRES_URL");
    private static final String USER = System.getenv("BERTH_TEST_POSTGRES_USER");
    private static final String PASSWORD = System.getenv("BERTH_TEST_POSTGRES_PASSWORD");

    private String schema;

    private static void requirePostgres() {
        if (URL == null || URL.isBlank()) {
            String missing = "BERTH_TEST_POSTGRES_URL is not set: start PostgreSQL with eval \"$(.ci/postgres-start)\"";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort(missing + " (skipped outside CI)");
        }
    }

    /** Every pooled connection plans for its parameters: see {@code Dialect.POSTGRESQL#unpooledDataSource}. */
    @Test
    void statementsArePlannedForTheirParameters() {
        for (int i = 0; i < 3; i++) {
            Optional<String> mode = database.withConnection(c -> SqlStatement.sql(c, "SHOW plan_cache_mode")
                    .first(r -> r.getString(1)));
            assertThat(mode).contains("force_custom_plan");
        }
    }

    @Override
    DatabaseConfig emptyDatabase() throws SQLException {
        requirePostgres();
        schema = "berth_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        String url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new DatabaseConfig(url, USER, PASSWORD, 8);
    }

    @Override
    void discardDatabase() throws SQLException {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
