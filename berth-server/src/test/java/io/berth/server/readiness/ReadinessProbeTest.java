package io.berth.server.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.blob.FilesystemBlobStore;
import io.berth.server.blob.StorageConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe on a clock the test turns: a failing database write makes the registry not ready and read-only, a
 * passing one heals it; a write that hangs counts as failed once it has run for the stall limit, while {@code /readyz}
 * answers at once from the last result; the operator's mode is apart from both.
 */
class ReadinessProbeTest {
    @TempDir
    Path root;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    private final AtomicLong now = new AtomicLong(Instant.parse("2026-12-07T03:00:00Z").toEpochMilli());
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void aFailingDatabaseWriteMakesItNotReadyAndReadOnlyUntilAWriteSucceedsAgain() {
        AtomicReference<RuntimeException> database = new AtomicReference<>();
        WriteAccess writes = new WriteAccess(false, clock);
        ReadinessProbe probe = new ReadinessProbe(new FilesystemBlobStore(vertx, root), () -> {
            if (database.get() != null) {
                throw database.get();
            }
            return null;
        }, StorageConfig.DEFAULT.withMinFreeSpace(0), writes, clock);

        assertThat(probe.check().ready()).isTrue();
        assertThat(writes.refusal()).isEmpty();

        database.set(new IllegalStateException("[SQLITE_FULL] database or disk is full"));
        ReadinessProbe.Status failed = probe.check();
        assertThat(failed.ready()).isFalse();
        assertThat(failed.reasons()).containsExactly("the database cannot take writes: storage is full"
                + " ([SQLITE_FULL] database or disk is full)");
        assertThat(writes.refusal()).contains("the database cannot take writes: storage is full"
                + " ([SQLITE_FULL] database or disk is full)");
        assertThat(writes.deletionsRefused()).as("collections free space: they go on").isEmpty();

        database.set(null);
        assertThat(probe.check().ready()).isTrue();
        assertThat(writes.refusal()).isEmpty();
    }

    @Test
    void aWriteThatHangsCountsAsFailedAfterTheStallLimitWhileStatusAnswersAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        WriteAccess writes = new WriteAccess(false, clock);
        ReadinessProbe probe = new ReadinessProbe(new FilesystemBlobStore(vertx, root), () -> {
            entered.countDown();
            release.await();
            return null;
        }, StorageConfig.DEFAULT.withMinFreeSpace(0).withCheckInterval(Duration.ofSeconds(1)), writes, clock);
        CompletableFuture<ReadinessProbe.Status> hanging = CompletableFuture.supplyAsync(probe::check);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(probe.status().ready()).as("not stalled yet").isTrue();
        now.addAndGet(probe.stallAfter().plusSeconds(1).toMillis());
        ReadinessProbe.Status stalled = probe.status();
        assertThat(stalled.ready()).isFalse();
        assertThat(stalled.reasons()).singleElement().asString()
                .contains("a write to the data directory or the database has not finished for 11 s");

        release.countDown();
        assertThat(hanging.get(5, TimeUnit.SECONDS).ready()).isTrue();
        assertThat(probe.status().ready()).isTrue();
    }

    @Test
    void theOperatorsModeIsApartFromTheAutomaticOneAndStopsCollections() {
        WriteAccess writes = new WriteAccess(false, clock);
        writes.setManual(true, "nightly backup");
        writes.setAutomatic(java.util.List.of("free space is low"));
        assertThat(writes.refusal()).contains("the operator made it read-only: nightly backup");
        assertThat(writes.deletionsRefused()).get().asString().contains("nightly backup");
        writes.setManual(false, "");
        assertThat(writes.refusal()).contains("free space is low");
        writes.setAutomatic(java.util.List.of());
        assertThat(writes.refusal()).isEmpty();
    }
}
