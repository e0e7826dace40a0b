package io.berth.server.meta;

import static io.berth.server.meta.SqlStatement.sql;

import java.util.Optional;

/**
 * The {@code token_signing_keys} row: the token service's private signing key (a JWK, as JSON) when the configuration
 * names no key file, so that a token signed by one node verifies on every other. The first node to need one stores
 * it; the others use what it stored.
 */
public final class SigningKeyRecord {
    private final Database database;

    public SigningKeyRecord(Database database) {
        this.database = database;
    }

    public Optional<String> load() {
        return database.withConnection(connection -> sql(connection, "SELECT jwk FROM token_signing_keys WHERE id = 1")
                .first(row -> row.getString(1)));
    }

    /** Stores {@code jwk} unless a key is stored already; returns the key stored now, this one or the other node's. */
    public String storeIfAbsent(String jwk, long nowMillis) {
        return database.inTransaction(connection -> {
            sql(connection, "INSERT INTO token_signing_keys (id, jwk, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
                    jwk, nowMillis).update();
            return sql(connection, "SELECT jwk FROM token_signing_keys WHERE id = 1").first(row -> row.getString(1))
                    .orElseThrow();
        });
    }
}
