package io.berth.server.meta;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Group commit for a database with one writer at a time (SQLite): every write transaction runs on one thread, on one
 * connection, and the transactions that queued up meanwhile share a commit — one {@code fsync} of the log for all of
 * them. Each keeps its own outcome: it runs inside a savepoint, so one that throws is rolled back alone and its caller
 * gets the exception, while the others commit. The caller's {@link #run} returns only once its work is durable.
 *
 * <p>Besides the shared fsync this removes lock contention: concurrent writers no longer poll SQLite's write lock
 * (whose busy handler sleeps 1, 2, 5, 10 … ms between tries) but wait in a queue. A batch runs what is queued when the
 * previous commit ends, up to {@link #MAX_BATCH}; nothing waits on a timer, so a lone writer commits at once.
 *
 * <p>When the batch as a whole fails (the commit itself, or a statement that ended the transaction), every job of it
 * runs again in a transaction of its own, so each gets the outcome it would have had alone.
 */
final class GroupCommit implements AutoCloseable {
    static final int MAX_BATCH = 256;
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    private final DataSource connections;
    private final Dialect dialect;
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong commits = new AtomicLong();
    private volatile boolean closed;
    private Connection connection;

    private static final class Job<T> {
        final SqlFunction<Connection, T> work;
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        T result;

        Job(SqlFunction<Connection, T> work) {
            this.work = work;
        }

        void apply(Connection connection) throws SQLException {
            result = work.apply(connection);
        }

        void complete() {
            outcome.complete(result);
        }
    }

    GroupCommit(DataSource connections, Dialect dialect) {
        this.connections = connections;
        this.dialect = dialect;
        this.writer = new Thread(this::writeLoop, "berth-metadata-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Runs {@code work} in a write transaction and returns once that is committed (blocking). */
    <T> T run(SqlFunction<Connection, T> work) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("a write transaction cannot start another one");
        }
        Job<T> job = new Job<>(work);
        queue.add(job);
        if (closed && queue.remove(job)) { // else the writer has it, and completes it before it stops
            throw new IllegalStateException("the metadata database is closed");
        }
        try {
            return job.outcome.get();
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("metadata transaction failed", new SQLException("interrupted while waiting for the commit"));
        }
    }

    /** Transactions waiting for the writer. */
    int queued() {
        return queue.size();
    }

    /** Commits made so far: fewer than the transactions run when they were batched. */
    long commits() {
        return commits.get();
    }

    private void writeLoop() {
        List<Job<?>> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Job<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                closed = true;
            } catch (Throwable unexpected) { // the writer must outlive any one batch, or every caller would wait forever
                batch.forEach(job -> job.outcome.completeExceptionally(unexpected));
                closeConnection();
            } finally {
                batch.clear();
            }
        }
        closeConnection();
    }

    private void runBatch(List<Job<?>> batch) {
        List<Job<?>> succeeded = new ArrayList<>(batch.size());
        try {
            Connection c = connection();
            dialect.begin(c);
            try {
                for (Job<?> job : batch) {
                    if (runInSavepoint(c, job)) {
                        succeeded.add(job);
                    }
                }
                dialect.commit(c);
            } catch (SQLException | RuntimeException e) {
                rollBack(c, e);
                throw e;
            }
            commits.incrementAndGet();
            succeeded.forEach(Job::complete);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.FINE, "a batch of " + batch.size() + " transactions failed; running them one by one", e);
            batch.stream().filter(job -> !job.outcome.isDone()).forEach(this::runAlone);
        }
    }

    /**
     * Runs the job inside a savepoint; false, with its caller told why, when it threw and was rolled back. Throws when
     * the savepoint itself fails: then the transaction is broken and the batch is run again job by job.
     */
    private static boolean runInSavepoint(Connection c, Job<?> job) throws SQLException {
        execute(c, "SAVEPOINT job");
        try {
            job.apply(c);
        } catch (SQLException | RuntimeException | Error failure) {
            job.outcome.completeExceptionally(failure);
            execute(c, "ROLLBACK TO job");
            execute(c, "RELEASE job");
            return false;
        }
        execute(c, "RELEASE job");
        return true;
    }

    private void runAlone(Job<?> job) {
        try {
            Connection c = connection();
            dialect.begin(c);
            try {
                job.apply(c);
                dialect.commit(c);
            } catch (SQLException | RuntimeException | Error failure) {
                rollBack(c, failure);
                throw failure;
            }
            commits.incrementAndGet();
            job.complete();
        } catch (SQLException | RuntimeException | Error failure) {
            job.outcome.completeExceptionally(failure);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connections.getConnection();
        }
        return connection;
    }

    /** Rolls back; a connection that cannot is dropped, and the next transaction opens a new one. */
    private void rollBack(Connection c, Throwable failure) {
        try {
            dialect.rollback(c);
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
            closeConnection();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        if (cause instanceof SQLException sql) {
            return new DatabaseException("metadata transaction failed", sql);
        }
        return new DatabaseException("metadata transaction failed", new SQLException(cause));
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.log(Level.FINE, "closing the writer connection", e);
            }
            connection = null;
        }
    }

    /** Runs what is queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
