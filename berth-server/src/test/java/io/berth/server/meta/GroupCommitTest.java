package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.meta.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's write transactions through {@link GroupCommit}: transactions queued while one commits share the next
 * commit, each keeps its own outcome, and a batch broken as a whole is rerun job by job.
 */
class GroupCommitTest {
    @TempDir
    Path directory;

    private Database database;
    private final ExecutorService callers = Executors.newFixedThreadPool(12);

    @BeforeEach
    void open() {
        database = Database.open(new DatabaseConfig("jdbc:sqlite:" + directory.resolve("berth.db"), null, null, 4));
    }

    @AfterEach
    void close() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
        database.close();
    }

    @Test
    void transactionsQueuedDuringACommitShareTheNextOne() throws Exception {
        HeldWriter held = new HeldWriter();
        long commitsBefore = database.groupCommits().orElseThrow();

        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "u" + i;
            queued.add(enqueue(connection -> insertUpload(connection, id)));
        }
        held.release();
        for (Future<Integer> f : queued) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }

        assertThat(uploads()).isEqualTo(11);
        assertThat(database.groupCommits().orElseThrow() - commitsBefore)
                .as("the held transaction's commit, then one commit for the ten that queued meanwhile")
                .isEqualTo(2);
    }

    @Test
    void aFailingTransactionIsRolledBackAloneAndItsCallerGetsItsException() throws Exception {
        HeldWriter held = new HeldWriter();
        IllegalStateException refused = new IllegalStateException("refused");
        Future<Integer> before = enqueue(c -> insertUpload(c, "before"));
        Future<Integer> failing = enqueue(c -> {
            insertUpload(c, "failing");
            throw refused;
        });
        Future<Integer> sqlFailing = enqueue(c -> {
            insertUpload(c, "sql-failing");
            return update(c, "INSERT INTO no_such_table VALUES (1)");
        });
        Future<Integer> after = enqueue(c -> insertUpload(c, "after"));
        held.release();

        assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasCause(refused);
        assertThatThrownBy(() -> sqlFailing.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(DatabaseException.class).hasCauseInstanceOf(SQLException.class);
        assertThat(uploadIds()).containsExactly("after", "before", "held");
    }

    @Test
    void aBatchWhoseTransactionBreaksIsRerunJobByJob() throws Exception {
        HeldWriter held = new HeldWriter();
        Future<Integer> first = enqueue(c -> insertUpload(c, "first"));
        // Rolls back the whole batch under the group writer's feet (as a failed commit would): its savepoint is gone.
        Future<Integer> breaking = enqueue(c -> {
            insertUpload(c, "breaking");
            return update(c, "ROLLBACK");
        });
        Future<Integer> last = enqueue(c -> insertUpload(c, "last"));
        held.release();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> breaking.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(DatabaseException.class);
        assertThat(uploadIds()).as("the rolled-back batch's other transactions were run again, alone")
                .containsExactly("first", "held", "last");
        // And the writer goes on committing.
        int later = database.inTransaction(c -> insertUpload(c, "later"));
        assertThat(later).isEqualTo(1);
        assertThat(uploadIds()).contains("later");
    }

    @Test
    void aTransactionCannotStartAnotherOne() {
        assertThatThrownBy(() -> database.inTransaction(c -> database.inTransaction(inner -> 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot start another");
    }

    /**
     * Another process holding SQLite's write lock (here another connection, which SQLite locks the same way) makes a
     * write wait no longer than the wait timeout: it fails with 503 TOOMANYREQUESTS naming the lock, and is never
     * run, not even once the lock is free; the writer then commits again without a restart.
     */
    @Test
    void aWriteThatCannotGetTheWriteLockWithinTheWaitTimeoutFailsAndNeverRuns() throws Exception {
        database.close();
        database = Database.open(new DatabaseConfig("jdbc:sqlite:" + directory.resolve("berth.db"), null, null, 4,
                java.time.Duration.ofMillis(500)));
        try (Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("berth.db"))) {
            update(other, "BEGIN IMMEDIATE");
            long started = System.nanoTime();
            assertThatThrownBy(() -> database.inTransaction(c -> insertUpload(c, "late")))
                    .isInstanceOfSatisfying(io.berth.oci.RegistryException.class, e -> {
                        assertThat(e.code()).isEqualTo(io.berth.oci.ErrorCode.TOOMANYREQUESTS);
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.detail()).contains("write lock", "database.waitTimeout");
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 3000L);
            java.util.concurrent.CompletableFuture<Integer> later = database.inTransactionLater(c -> insertUpload(c, "later"));
            assertThatThrownBy(() -> later.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(io.berth.oci.RegistryException.class);
            update(other, "ROLLBACK");
        }
        int after = database.inTransaction(c -> insertUpload(c, "after"));
        assertThat(after).isEqualTo(1);
        Thread.sleep(200); // a given-up write that ran anyway would have run by now
        assertThat(uploadIds()).containsExactly("after");
    }

    /** A write queued without waiting commits before the writes queued after it. */
    @Test
    void aWriteQueuedWithoutWaitingCommitsBeforeTheWritesQueuedAfterIt() throws Exception {
        HeldWriter held = new HeldWriter();
        java.util.concurrent.CompletableFuture<Integer> later = database.inTransactionLater(c -> insertUpload(c, "later"));
        Future<Integer> next = enqueue(c -> {
            try (Statement statement = c.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM uploads WHERE id = 'later'")) {
                rows.next();
                return rows.getInt(1);
            }
        });
        held.release();
        assertThat(next.get(10, TimeUnit.SECONDS)).as("the earlier write is seen").isEqualTo(1);
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    /** A transaction that keeps the group writer busy until released, so that the ones after it queue up. */
    private final class HeldWriter {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Future<Integer> transaction;

        HeldWriter() throws InterruptedException {
            CountDownLatch running = new CountDownLatch(1);
            transaction = callers.submit(() -> database.inTransaction(connection -> {
                running.countDown();
                awaitQuietly(release);
                return insertUpload(connection, "held");
            }));
            running.await();
        }

        /** Lets the held transaction commit, and waits until it has. */
        void release() throws Exception {
            release.countDown();
            transaction.get(10, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code work} on a caller thread and returns once it waits in the writer's queue. */
    private <T> Future<T> enqueue(SqlFunction<Connection, T> work) {
        int queuedBefore = queuedJobs();
        Future<T> outcome = callers.submit(() -> database.inTransaction(work));
        awaitQueued(queuedBefore + 1);
        return outcome;
    }

    /** Waits until {@code n} callers wait in the writer's queue, with the writer busy on the held transaction. */
    private void awaitQueued(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queuedJobs() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + queuedJobs() + " of " + n + " transactions queued");
            }
            Thread.onSpinWait();
        }
    }

    private int queuedJobs() {
        return database.queuedTransactions();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int insertUpload(Connection connection, String id) throws SQLException {
        return update(connection, "INSERT INTO uploads (id, repository, started_at) VALUES ('" + id + "', 'app', 1)");
    }

    private static int update(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    private int uploads() {
        return uploadIds().size();
    }

    private List<String> uploadIds() {
        return database.withConnection(connection -> {
            List<String> ids = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id FROM uploads ORDER BY id")) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        });
    }
}
