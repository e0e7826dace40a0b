package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.MovableClock;
import io.berth.server.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link JobLease} is held by one node at a time: renewed by its holder, refused to the others until it expires
 * (its node died) or is released, then taken over; a node restarted under the same id takes its own lease back.
 * On SQLite and on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL}).
 */
class JobLeaseTest {
    private static final Duration TTL = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void oneHolderAtATimeTakenOverWhenItExpiresOrIsReleased(String kind) {
        Optional<TestDatabases.PostgresSchema> schema = kind.equals("postgresql")
                ? Optional.of(TestDatabases.postgresSchema()) : Optional.empty();
        MovableClock clock = new MovableClock();
        try (Database database = Database.open(schema.map(TestDatabases.PostgresSchema::config)
                .orElse(TestDatabases.sqlite(dir)))) {
            JobLease a = new JobLease(database, "upload-expiry", new NodeId("node-a"), clock);
            JobLease b = new JobLease(database, "upload-expiry", new NodeId("node-b"), clock);
            JobLease otherJob = new JobLease(database, "events:hook", new NodeId("node-b"), clock);

            assertThat(a.acquire(TTL)).isTrue();
            assertThat(b.acquire(TTL)).isFalse();
            assertThat(otherJob.acquire(TTL)).as("leases are per job").isTrue();
            clock.advance(Duration.ofSeconds(10));
            assertThat(a.acquire(TTL)).as("renewed by its holder").isTrue();
            clock.advance(Duration.ofSeconds(10));
            assertThat(b.acquire(TTL)).as("20 s after it was taken, 10 s after it was renewed").isFalse();
            assertThat(b.holding()).get().extracting(JobLease.Holding::holder).isEqualTo("node-a");

            clock.advance(Duration.ofSeconds(6)); // node-a died: no renewal for longer than the time to live
            assertThat(b.acquire(TTL)).as("an expired lease is taken over").isTrue();
            assertThat(a.acquire(TTL)).isFalse();
            assertThat(new JobLease(database, "upload-expiry", new NodeId("node-b"), clock).acquire(TTL))
                    .as("a node restarted under its id takes its own lease back").isTrue();

            b.release();
            assertThat(a.acquire(TTL)).as("a released lease is taken at once").isTrue();
            assertThat(JobLease.holdings(database)).extracting(JobLease.Holding::name, JobLease.Holding::holder)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("events:hook", "node-b"),
                            org.assertj.core.groups.Tuple.tuple("upload-expiry", "node-a"));
        } finally {
            schema.ifPresent(TestDatabases.PostgresSchema::close);
        }
    }
}
