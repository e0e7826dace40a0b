package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.config.BerthConfig.DatabaseConfig;
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
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = callers.submit(() -> database.inTransaction(connection -> {
            writerHeld.countDown();
            awaitQuietly(release);
            return insertUpload(connection, "held");
        }));
        writerHeld.await();
        long commitsBefore = database.groupCommits().orElseThrow();

        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "u" + i;
            queued.add(callers.submit(() -> database.inTransaction(connection -> insertUpload(connection, id))));
        }
        awaitQueued(10);
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
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
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = callers.submit(() -> database.inTransaction(connection -> {
            writerHeld.countDown();
            awaitQuietly(release);
            return insertUpload(connection, "held");
        }));
        writerHeld.await();
        IllegalStateException refused = new IllegalStateException("refused");
        Future<Integer> before = callers.submit(() -> database.inTransaction(c -> insertUpload(c, "before")));
        awaitQueued(1);
        Future<Integer> failing = callers.submit(() -> database.inTransaction(c -> {
            insertUpload(c, "failing");
            throw refused;
        }));
        awaitQueued(2);
        Future<Integer> sqlFailing = callers.submit(() -> database.inTransaction(c -> {
            insertUpload(c, "sql-failing");
            return update(c, "INSERT INTO no_such_table VALUES (1)");
        }));
        awaitQueued(3);
        Future<Integer> after = callers.submit(() -> database.inTransaction(c -> insertUpload(c, "after")));
        awaitQueued(4);
        release.countDown();

        holder.get(10, TimeUnit.SECONDS);
        assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasCause(refused);
        assertThatThrownBy(() -> sqlFailing.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(DatabaseException.class).hasCauseInstanceOf(SQLException.class);
        assertThat(uploadIds()).containsExactly("after", "before", "held");
    }

    @Test
    void aBatchWhoseTransactionBreaksIsRerunJobByJob() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = callers.submit(() -> database.inTransaction(connection -> {
            writerHeld.countDown();
            awaitQueued(3);
            awaitQuietly(release);
            return insertUpload(connection, "held");
        }));
        writerHeld.await();
        Future<Integer> first = callers.submit(() -> database.inTransaction(c -> insertUpload(c, "first")));
        awaitQueued(1);
        // Rolls back the whole batch under the group writer's feet (as a failed commit would): its savepoint is gone.
        Future<Integer> breaking = callers.submit(() -> database.inTransaction(c -> {
            insertUpload(c, "breaking");
            return update(c, "ROLLBACK");
        }));
        awaitQueued(2);
        Future<Integer> last = callers.submit(() -> database.inTransaction(c -> insertUpload(c, "last")));
        awaitQueued(3);
        release.countDown();

        holder.get(10, TimeUnit.SECONDS);
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
