package io.berth.server.meta;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;

/**
 * The metadata database: a connection pool over SQLite or PostgreSQL whose schema {@link #open} has brought up to
 * date with the Flyway migrations in {@code classpath:db/migration}.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL} (a commit is on disk when it returns), a busy timeout and
 * foreign keys on. Its write transactions all run on one writer thread, which commits those that queued up together
 * ({@link GroupCommit}); other processes writing to the same file still queue on the write lock, which a transaction
 * takes when it begins, instead of failing with {@code SQLITE_BUSY}. PostgreSQL runs each write transaction on the
 * caller's pooled connection, concurrently.
 *
 * <p>No wait on the database outlasts {@link DatabaseConfig#waitTimeout}: not a write's wait for SQLite's write lock
 * ({@link GroupCommit}), not a statement's wait for a PostgreSQL lock ({@code lock_timeout}), not the wait for a
 * pooled connection (HikariCP's connection timeout). One that would ends in 503 {@code TOOMANYREQUESTS}
 * ({@link DatabaseWait}), with nothing of its transaction committed.
 */
public final class Database implements AutoCloseable {
    private static final String MIGRATIONS = "classpath:db/migration";
    /**
     * The migration scripts under {@code db/migration}, named rather than scanned for: finding them in the 30 MB jar
     * would cost Flyway a walk of every entry at each start. {@code DatabaseTest} checks the list against the folder.
     */
    static final List<String> MIGRATION_SCRIPTS = List.of("V1__registry.sql", "V2__artifact_types.sql",
            "V3__events_and_scans.sql", "V4__repository_summary_indexes.sql", "V5__garbage_collection.sql",
            "V6__upload_expiry.sql", "V7__retention.sql", "V8__quotas.sql", "V9__readiness_probe.sql",
            "V10__upload_claims.sql", "V11__cluster_coordination.sql", "V12__repository_counts.sql",
            "V13__classification_state.sql", "V14__referrer_counts_index.sql");

    private final Dialect dialect;
    private final HikariDataSource pool;
    private final Optional<GroupCommit> groupCommit;
    private final Duration waitTimeout;
    /**
     * Pooled connections write transactions may hold at once (PostgreSQL): a quarter of the pool stays for reads, so
     * that writes waiting for a lock cannot take every connection from the reads and the readiness check.
     */
    private final Semaphore writers;

    private Database(Dialect dialect, HikariDataSource pool, Optional<GroupCommit> groupCommit, Duration waitTimeout) {
        this.dialect = dialect;
        this.pool = pool;
        this.groupCommit = groupCommit;
        this.waitTimeout = waitTimeout;
        this.writers = new Semaphore(Math.max(1, pool.getMaximumPoolSize() - Math.max(1, pool.getMaximumPoolSize() / 4)), true);
    }

    /** Connects, migrates the schema and returns the pooled database. */
    public static Database open(DatabaseConfig config) {
        return open(config, null);
    }

    /**
     * As {@link #open(DatabaseConfig)}, with the pool reporting to {@code poolMetrics} (HikariCP's own meters:
     * connections active, idle, pending, and the time to get one); null for none.
     */
    public static Database open(DatabaseConfig config, MetricsTrackerFactory poolMetrics) {
        Dialect dialect = Dialect.of(config);
        Flyway.configure()
                .dataSource(dialect.migrationDataSource(config))
                .locations(MIGRATIONS)
                .resourceProvider(new NamedResources(new Location(MIGRATIONS), MIGRATION_SCRIPTS))
                .javaMigrationClassProvider(List::of)
                .skipDefaultCallbacks(true)
                .failOnMissingLocations(true)
                .placeholders(dialect.placeholders())
                .load()
                .migrate();
        DataSource connections = dialect.unpooledDataSource(config);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("berth-metadata");
        hikari.setDataSource(connections);
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setConnectionTimeout(config.waitTimeout().toMillis());
        if (poolMetrics != null) {
            hikari.setMetricsTrackerFactory(poolMetrics);
        }
        Optional<GroupCommit> groupCommit = dialect == Dialect.SQLITE
                ? Optional.of(new GroupCommit(connections, dialect, config.waitTimeout()))
                : Optional.empty();
        return new Database(dialect, new HikariDataSource(hikari), groupCommit, config.waitTimeout());
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * What ends a SELECT that claims rows of one table inside a write transaction: on PostgreSQL
     * {@code FOR UPDATE SKIP LOCKED} (rows another transaction is claiming are passed over, not waited for); nothing on
     * SQLite, whose one writer claims alone.
     */
    public String skipLocked() {
        return dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }

    /** Whether other nodes may share this database (PostgreSQL), so that coordination with them matters. */
    public boolean shared() {
        return dialect == Dialect.POSTGRESQL;
    }

    /** The pooled connections, in auto-commit mode. */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs {@code work} in one write transaction and commits it; rolls back when {@code work} throws, rethrowing
     * unchecked exceptions as they are and {@link SQLException} as {@link DatabaseException}. Blocking: returns once
     * the commit is durable. {@code work} must not start another transaction.
     */
    public <T> T inTransaction(SqlFunction<Connection, T> work) {
        return groupCommit.isPresent() ? groupCommit.get().run(work) : onPooledConnection(work);
    }

    /**
     * Runs {@code work} in a write transaction that nobody waits for — bookkeeping a read does on the side, such as
     * refreshing a blob's {@code touched_at} — so that the read never waits for the write lock. On SQLite it is queued
     * to the group writer: it commits before every write queued after it (or is given up after the wait timeout).
     * On PostgreSQL, where writers do not queue, it runs now, bounded by the wait timeout like any write.
     */
    public <T> CompletableFuture<T> inTransactionLater(SqlFunction<Connection, T> work) {
        if (groupCommit.isPresent()) {
            return groupCommit.get().later(work);
        }
        try {
            return CompletableFuture.completedFuture(onPooledConnection(work));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Commits made by the group writer (SQLite); empty on PostgreSQL, where each transaction commits itself. */
    Optional<Long> groupCommits() {
        return groupCommit.map(GroupCommit::commits);
    }

    /** Write transactions waiting for the group writer (SQLite). */
    int queuedTransactions() {
        return groupCommit.map(GroupCommit::queued).orElse(0);
    }

    private <T> T onPooledConnection(SqlFunction<Connection, T> work) {
        try {
            if (!writers.tryAcquire(waitTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw DatabaseWait.exceeded("no metadata database connection came free for this write (database.maxPoolSize,"
                        + " a quarter of it kept for reads)", waitTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("metadata transaction failed", new SQLException("interrupted while waiting for a connection"));
        }
        try {
            return onPooledConnectionHeld(work);
        } finally {
            writers.release();
        }
    }

    private <T> T onPooledConnectionHeld(SqlFunction<Connection, T> work) {
        try (Connection connection = pool.getConnection()) {
            dialect.begin(connection);
            try {
                T result = work.apply(connection);
                dialect.commit(connection);
                return result;
            } catch (Throwable failure) {
                rollBack(connection, failure);
                throw failure;
            }
        } catch (SQLException e) {
            throw failed("metadata transaction failed", e);
        }
    }

    /** Runs read-only {@code work} on a pooled connection in auto-commit mode: each statement sees committed data. */
    public <T> T withConnection(SqlFunction<Connection, T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw failed("metadata query failed", e);
        }
    }

    private RuntimeException failed(String what, SQLException e) {
        return DatabaseWait.timedOut(e) ? DatabaseWait.exceeded(e, waitTimeout) : new DatabaseException(what, e);
    }

    private void rollBack(Connection connection, Throwable failure) {
        try {
            dialect.rollback(connection);
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
            pool.evictConnection(connection);
        }
    }

    @Override
    public void close() {
        groupCommit.ifPresent(GroupCommit::close);
        pool.close();
    }
}
