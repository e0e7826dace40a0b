package io.berth.server.meta;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The metadata database. Invalid values are {@link IllegalArgumentException}s, which the configuration loader
 * reports with the other problems.
 *
 * @param url          a JDBC URL: {@code jdbc:sqlite:…} (embedded) or {@code jdbc:postgresql://…}
 * @param maxPoolSize  connections in the pool
 * @param waitTimeout  how long a request waits for the database — SQLite's write lock and the queue of the one writer,
 *                     a PostgreSQL lock ({@code lock_timeout}), a pooled connection — before it gives up with 503
 *                     {@code TOOMANYREQUESTS} and {@code Retry-After} ({@code database.waitTimeout})
 */
public record DatabaseConfig(String url, String username, String password, int maxPoolSize, Duration waitTimeout) {
    /** Long enough for a burst of writes queued behind a slow disk, short enough that a client retries before it gives up. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(10);

    public DatabaseConfig {
        if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("database url must start with jdbc:sqlite: or jdbc:postgresql:, was " + url);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("database maxPoolSize must be at least 1, was " + maxPoolSize);
        }
        waitTimeout = waitTimeout == null ? DEFAULT_WAIT_TIMEOUT : waitTimeout;
        if (waitTimeout.toMillis() < 250) {
            // HikariCP's shortest connection timeout; below it the pool would silently wait 30 s
            throw new IllegalArgumentException("database.waitTimeout must be at least 250ms, was " + waitTimeout);
        }
    }

    /** With the default wait timeout. */
    public DatabaseConfig(String url, String username, String password, int maxPoolSize) {
        this(url, username, password, maxPoolSize, DEFAULT_WAIT_TIMEOUT);
    }

    public static DatabaseConfig sqlite(Path dataDir) {
        return new DatabaseConfig("jdbc:sqlite:" + dataDir.resolve("berth.db"), null, null, 8);
    }

    public DatabaseConfig withWaitTimeout(Duration waitTimeout) {
        return new DatabaseConfig(url, username, password, maxPoolSize, waitTimeout);
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + url + ", username=" + username + ", maxPoolSize=" + maxPoolSize
                + ", waitTimeout=" + waitTimeout + "]";
    }
}
