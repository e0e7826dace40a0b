package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.gc.GcConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.nio.file.Path;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.retention.DeleteRule;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The concurrency torture of online garbage collection ({@link Torture}): pushers sharing layers across repositories
 * (monolithic and chunked uploads, mounts, HEAD-then-push without re-upload), a deleter of manifests and tags, a
 * puller, retention (a policy deleting the pushers' expiring tags) and the collector in loops against one server whose grace period is short enough for the collector to delete
 * during the run. Afterwards nothing acknowledged and not deleted is lost, and nothing deleted is left on disk.
 *
 * <p>{@code -Dberth.torture.seconds=N} makes the SQLite run last N seconds (default 20) and the PostgreSQL run half as
 * long.
 */
class GcTortureTest {
    /** Short, so that blobs become garbage within the run; long enough for a HEAD to protect a blob for a moment. */
    static final Duration GRACE = Duration.ofMillis(400);
    /** Deletes the tags (and so the manifests) that end in {@link Torture#EXPIRING}; run by the retention actor only. */
    static final RetentionConfig EXPIRING_TAGS = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy(
            "expiring", List.of(RepositoryGlob.of("torture/**")), Set.of(), List.of(new DeleteRule("delete[0]",
            Optional.of(Pattern.compile(Torture.EXPIRING + "$")), Set.of(), Optional.empty(), Optional.empty(),
            Optional.empty())), List.of())));
    private static final Duration LENGTH = Duration.ofSeconds(Long.getLong("berth.torture.seconds", 20));

    @TempDir
    Path dataDir;

    @Test
    void nothingAcknowledgedIsLostAndNothingDeletedIsLeftOnSqlite() throws Exception {
        try (BerthFixture registry = BerthFixture.start(dataDir, config -> config.withGc(
                new GcConfig(Duration.ZERO, GRACE)).withRetention(EXPIRING_TAGS))) {
            torture(new RegistryHttp(registry.baseUri()), LENGTH);
        }
    }

    @Test
    void nothingAcknowledgedIsLostAndNothingDeletedIsLeftOnPostgresql() throws Exception {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture registry = BerthFixture.start(dataDir, config -> config.withGc(
                     new GcConfig(Duration.ZERO, GRACE)).withRetention(EXPIRING_TAGS).withDatabase(schema.config()))) {
            torture(new RegistryHttp(registry.baseUri()), LENGTH.dividedBy(2));
        }
    }

    private void torture(RegistryHttp http, Duration length) throws Exception {
        Torture torture = new Torture(http, dataDir, GRACE, GRACE, false);
        List<Torture.Actor> actors = torture.standardActors();
        actors.add(new TortureActors.Retention());
        torture.retentionRuns = true;
        torture.run(actors, length);
        torture.finishRetention();
        assertThat(torture.counted("collections")).as("collections during the run").isGreaterThan(2);
        assertThat(torture.counted("blobs deleted during the run")).as("the collector deleted while clients worked")
                .isPositive();
        assertThat(torture.counted("uploads skipped after a HEAD")).isPositive();
        assertThat(torture.counted("mounts")).isPositive();
        assertThat(torture.counted("chunked uploads")).isPositive();
        assertThat(torture.counted("images pulled")).isPositive();
        assertThat(torture.counted("manifests deleted by retention")).as("retention deleted while clients worked")
                .isPositive();
        torture.verify();
    }
}
