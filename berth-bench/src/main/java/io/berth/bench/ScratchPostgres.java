package io.berth.bench;

import io.berth.server.meta.DatabaseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A fresh schema for one bench run in the PostgreSQL database that {@code .ci/postgres-start} runs (the variables it
 * prints: {@code BERTH_TEST_POSTGRES_URL}, {@code _USER}, {@code _PASSWORD}), as the tests use it; dropped when closed
 * unless kept.
 */
final class ScratchPostgres implements AutoCloseable {
    private final String serverUrl;
    private final String user;
    private final String password;
    private final String name;
    private final boolean keep;

    private ScratchPostgres(String serverUrl, String user, String password, String name, boolean keep) {
        this.serverUrl = serverUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.keep = keep;
    }

    static ScratchPostgres create(String option, boolean keep) throws SQLException {
        String url = System.getenv("BERTH_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(option + ": BERTH_TEST_POSTGRES_URL is not set; start PostgreSQL with"
                    + " eval \"$(.ci/postgres-start)\"");
        }
        ScratchPostgres scratch = new ScratchPostgres(url, System.getenv("BERTH_TEST_POSTGRES_USER"),
                System.getenv("BERTH_TEST_POSTGRES_PASSWORD"), "berth_bench_" + option.replaceAll("[^a-z]", "") + "_" + System.nanoTime(), keep);
        scratch.execute("CREATE SCHEMA " + scratch.name);
        return scratch;
    }

    /** The database's URL with the scratch schema as the current one. */
    String url() {
        return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    DatabaseConfig config() {
        return new DatabaseConfig(url(), user, password, 8);
    }

    /** What the server needs in its environment to use the scratch database. */
    Map<String, String> serverEnvironment() {
        return Map.of("BERTH_DATABASE_URL", url(), "BERTH_DATABASE_USERNAME", user == null ? "" : user,
                "BERTH_DATABASE_PASSWORD", password == null ? "" : password);
    }

    @Override
    public void close() throws SQLException {
        if (keep) {
            System.out.printf("  kept the schema %s%n", url());
            return;
        }
        execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
