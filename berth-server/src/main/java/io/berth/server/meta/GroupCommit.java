package io.berth.server.meta;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Every wait is bounded by the wait timeout: while another connection or process holds SQLite's write lock, the
 * writer keeps trying to begin (its own busy timeout is short, {@link #LOCK_POLL_MILLIS}) and the jobs wait in the
 * queue; a job not begun within the timeout is given up — by its caller, who gets 503 {@code TOOMANYREQUESTS}
 * ({@link DatabaseWait}) — and never runs. A job the writer has begun is waited for to its end: its transaction
 * holds the lock and does not wait on anyone.
 */
final class GroupCommit implements AutoCloseable {
    static final int MAX_BATCH = 256;
    /** The writer's busy timeout: how often it tries again to begin while another process holds the write lock. */
    static final int LOCK_POLL_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final DataSource connections;
    private final Dialect dialect;
    private final Duration waitTimeout;
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong commits = new AtomicLong();
    private volatile boolean closed;
    /** When the writer first found the write lock held by someone else ({@link System#nanoTime}), or 0 while it is free. */
    private volatile long lockHeldSince;
    private Connection connection;

    private static final class Job<T> {
        private static final int QUEUED = 0;
        private static final int BEGUN = 1;
        private static final int GIVEN_UP = 2;

        final SqlFunction<Connection, T> work;
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        /** Who has the job: the queue, the writer once its transaction began, or nobody once its caller gave up. */
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        T result;

        Job(SqlFunction<Connection, T> work) {
            this.work = work;
        }

        /** The writer takes the job into a begun transaction; false if its caller gave up on it already. */
        boolean begin() {
            return state.get() == BEGUN || state.compareAndSet(QUEUED, BEGUN);
        }

        /** The caller gives up waiting; false if the writer has begun it already. */
        boolean giveUp() {
            return state.compareAndSet(QUEUED, GIVEN_UP);
        }

        boolean givenUp() {
            return state.get() == GIVEN_UP;
        }

        void apply(Connection connection) throws SQLException {
            result = work.apply(connection);
        }

        void complete() {
            outcome.complete(result);
        }
    }

    GroupCommit(DataSource connections, Dialect dialect, Duration waitTimeout) {
        this.connections = connections;
        this.dialect = dialect;
        this.waitTimeout = waitTimeout;
        this.writer = new Thread(this::writeLoop, "berth-metadata-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Runs {@code work} in a write transaction and returns once that is committed (blocking); throws 503
     * {@code TOOMANYREQUESTS} when the transaction could not begin within the wait timeout.
     */
    <T> T run(SqlFunction<Connection, T> work) {
        Job<T> job = submit(work);
        try {
            try {
                return job.outcome.get(waitTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (job.giveUp()) {
                    throw DatabaseWait.exceeded(lockHeldSince != 0 ? "the metadata database's write lock, held by another"
                            + " connection or process, did not come free" : "the metadata writer did not get to this"
                            + " write, " + queue.size() + " writes queued", waitTimeout);
                }
                return job.outcome.get(); // begun: it holds the lock and ends soon
            }
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.giveUp();
            throw new DatabaseException("metadata transaction failed", new SQLException("interrupted while waiting for the commit"));
        }
    }

    /**
     * Queues {@code work} without waiting for it: it commits after every write queued before it and before every
     * write queued after it, or is given up after the wait timeout (the returned future then fails with 503).
     */
    <T> CompletableFuture<T> later(SqlFunction<Connection, T> work) {
        Job<T> job = submit(work);
        CompletableFuture<T> outcome = job.outcome.copy();
        new CompletableFuture<Void>().completeOnTimeout(null, waitTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenRun(() -> {
                    if (job.giveUp()) {
                        outcome.completeExceptionally(DatabaseWait.exceeded("the metadata writer did not get to this"
                                + " write", waitTimeout));
                    }
                });
        return outcome;
    }

    private <T> Job<T> submit(SqlFunction<Connection, T> work) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("a write transaction cannot start another one");
        }
        Job<T> job = new Job<>(work);
        queue.add(job);
        if (closed && queue.remove(job)) { // else the writer has it, and completes it before it stops
            throw new IllegalStateException("the metadata database is closed");
        }
        return job;
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
            if (!beginWhenLockFree(c, batch)) {
                return;
            }
            try {
                for (Job<?> job : batch) {
                    if (job.begin() && runInSavepoint(c, job)) {
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
            LOG.debug("a batch of {} transactions failed; running them one by one", batch.size(), e);
            batch.stream().filter(job -> !job.outcome.isDone() && !job.givenUp()).forEach(this::runAlone);
        }
    }

    /**
     * Begins the batch's transaction, trying again while another connection or process holds the write lock: the
     * jobs whose callers gave up meanwhile are dropped, those queued meanwhile join. False, with nothing begun, when
     * no job is left or the writer is closing; a failure other than a held lock is thrown.
     */
    private boolean beginWhenLockFree(Connection c, List<Job<?>> batch) throws SQLException {
        while (true) {
            batch.removeIf(Job::givenUp);
            if (batch.isEmpty()) {
                return false;
            }
            try {
                dialect.begin(c);
                if (lockHeldSince != 0) {
                    LOG.warn("the metadata database's write lock is free again after "
                            + (System.nanoTime() - lockHeldSince) / 1_000_000 + " ms");
                    lockHeldSince = 0;
                }
                return true;
            } catch (SQLException e) {
                if (!DatabaseWait.timedOut(e)) {
                    throw e;
                }
                if (lockHeldSince == 0) {
                    lockHeldSince = System.nanoTime() | 1;
                    LOG.warn("the metadata database's write lock is held by another connection or process;"
                            + " writes wait for it up to " + waitTimeout.toMillis() + " ms (database.waitTimeout),"
                            + " then answer 503");
                }
            }
            if (closed) {
                IllegalStateException closing = new IllegalStateException("the metadata database is closing");
                batch.forEach(job -> job.outcome.completeExceptionally(closing));
                return false;
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
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
        if (!job.begin()) {
            return; // its caller gave up before the transaction began
        }
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
            execute(connection, "PRAGMA busy_timeout = " + LOCK_POLL_MILLIS);
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

    private RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        if (cause instanceof SQLException sql && DatabaseWait.timedOut(sql)) {
            return DatabaseWait.exceeded(sql, waitTimeout);
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
                LOG.debug("closing the writer connection", e);
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
