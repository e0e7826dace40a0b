package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import io.berth.oci.Repository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** The {@code repositories} table: maps a repository name to the id the other tables use. */
final class RepositoryRows {
    /** A sub-query for the id of the repository named by one parameter, for use inside other statements. */
    static final String ID_OF_NAME = "(SELECT id FROM repositories WHERE name = ?)";

    private RepositoryRows() {
    }

    /** The repository's id, adding its row first when it has none; safe when two transactions add it at once. */
    static long idAddingIfAbsent(Connection connection, Repository repository, Instant now) throws SQLException {
        var existing = sql(connection, "SELECT id FROM repositories WHERE name = ?", repository.name())
                .first(row -> row.getLong(1));
        if (existing.isPresent()) {
            return existing.get();
        }
        sql(connection, "INSERT INTO repositories (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                repository.name(), now.toEpochMilli()).update();
        return sql(connection, "SELECT id FROM repositories WHERE name = ?", repository.name())
                .first(row -> row.getLong(1))
                .orElseThrow(() -> new IllegalStateException("repository row vanished: " + repository));
    }
}
