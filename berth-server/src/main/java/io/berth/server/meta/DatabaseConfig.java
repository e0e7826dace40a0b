package io.berth.server.meta;

import java.nio.file.Path;

/**
 * The metadata database. Invalid values are {@link IllegalArgumentException}s, which the configuration loader
 * reports with the other problems.
 *
 * @param url          a JDBC URL: {@code jdbc:sqlite:…} (embedded) or {@code jdbc:postgresql://…}
 * @param maxPoolSize  connections in the pool
 */
public record DatabaseConfig(String url, String username, String password, int maxPoolSize) {
    public DatabaseConfig {
        if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("database url must start with jdbc:sqlite: or jdbc:postgresql:, was " + url);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("database maxPoolSize must be at least 1, was " + maxPoolSize);
        }
    }

    public static DatabaseConfig sqlite(Path dataDir) {
        return new DatabaseConfig("jdbc:sqlite:" + dataDir.resolve("berth.db"), null, null, 8);
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + url + ", username=" + username + ", maxPoolSize=" + maxPoolSize + "]";
    }
}

