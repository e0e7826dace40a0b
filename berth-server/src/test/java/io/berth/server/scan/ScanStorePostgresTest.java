package io.berth.server.scan;

import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.TestDatabases;

/** The scan store contract on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}; skipped without it, failing under {@code CI=true}). */
class ScanStorePostgresTest extends ScanStoreContract {
    private TestDatabases.PostgresSchema schema;

    @Override
    DatabaseConfig emptyDatabase() {
        schema = TestDatabases.postgresSchema();
        return schema.config();
    }

    @Override
    void discardDatabase() {
        if (schema != null) {
            schema.close();
        }
    }
}
