package io.berth.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import io.berth.server.meta.Database;
import io.berth.server.meta.JdbcManifestIndex;
import io.berth.server.meta.JdbcPullTimes;
import io.berth.server.meta.JdbcRepositorySnapshots;
import io.berth.server.meta.RepositorySnapshot;
import io.berth.server.meta.StoredManifest;
import io.berth.server.testing.MovableClock;
import io.berth.server.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull times: a thousand pulls cost one write, a pull within the precision of the last noted one none, a pull after
 * it one more; another node's pull within the precision of the stored time writes nothing. SQLite and PostgreSQL.
 */
class PullTimesTest {
    static final Repository REPO = Repository.of("pulls/app");
    static final Duration PRECISION = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void pullsAreWrittenOncePerPrecisionOnSqlite() {
        try (Database database = Database.open(TestDatabases.sqlite(dir))) {
            writesOncePerPrecision(database);
        }
    }

    @Test
    void theSameOnPostgresql() {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             Database database = Database.open(schema.config())) {
            writesOncePerPrecision(database);
        }
    }

    private void writesOncePerPrecision(Database database) {
        MovableClock clock = new MovableClock();
        byte[] content = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        new JdbcManifestIndex(database, clock).put(new StoredManifest(REPO, digest,
                "application/vnd.oci.image.manifest.v1+json", content, Optional.empty(), Optional.empty(), Map.of(),
                clock.instant()), List.of(), List.of(), Optional.empty());
        PullTimes node = new PullTimes(new JdbcPullTimes(database), clock, PRECISION);
        JdbcRepositorySnapshots snapshots = new JdbcRepositorySnapshots(database);
        assertThat(pulledAt(snapshots, digest)).as("never pulled").isEmpty();

        for (int i = 0; i < 1000; i++) {
            node.seen(REPO, digest);
        }
        Instant first = clock.instant();
        assertThat(node.flush()).as("a thousand pulls, one write").isEqualTo(1);
        assertThat(pulledAt(snapshots, digest).orElseThrow()).isBetween(first.minusSeconds(5), first);
        node.seen(REPO, digest);
        assertThat(node.flush()).as("within the precision").isZero();
        clock.advance(PRECISION.dividedBy(2));
        node.seen(REPO, digest);
        assertThat(node.flush()).as("still within the precision").isZero();

        PullTimes otherNode = new PullTimes(new JdbcPullTimes(database), clock, PRECISION);
        otherNode.seen(REPO, digest);
        assertThat(otherNode.flush()).as("another node, within the precision of the stored time").isZero();

        clock.advance(PRECISION);
        node.seen(REPO, digest);
        Instant later = clock.instant();
        assertThat(node.flush()).as("after the precision").isEqualTo(1);
        assertThat(pulledAt(snapshots, digest).orElseThrow()).isAfter(first.plus(PRECISION)).isBeforeOrEqualTo(later);
        node.seen(REPO, Digest.sha256("deleted meanwhile".getBytes(StandardCharsets.UTF_8)));
        assertThat(node.flush()).as("a manifest that is gone").isZero();
    }

    private static Optional<Instant> pulledAt(JdbcRepositorySnapshots snapshots, Digest digest) {
        RepositorySnapshot snapshot = snapshots.read(REPO);
        return snapshot.manifests().get(digest).pulledAt();
    }
}
