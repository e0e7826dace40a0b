package io.berth.server.event;

import io.berth.server.meta.DatabaseConfig;
import io.berth.server.testing.TestDatabases;

/** The outbox contract on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}; skipped without it, failing under {@code CI=true}). */
class OutboxPostgresTest extends OutboxContract {
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
