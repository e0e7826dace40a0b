package io.berth.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.meta.CollectionLease;
import io.berth.server.meta.Database;
import io.berth.server.meta.JdbcManifestIndex;
import io.berth.server.meta.JdbcPullTimes;
import io.berth.server.meta.ImmutableTags;
import io.berth.server.meta.JdbcRepositorySnapshots;
import io.berth.server.meta.ManifestIndex;
import io.berth.server.meta.RequestContext;
import io.berth.server.meta.StoredManifest;
import io.berth.server.testing.MovableClock;
import io.berth.server.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push that lands while a run carries out its plan keeps what it pushed: a tag moved to a new manifest is not
 * deleted, a manifest tagged again is not deleted; both are reported as skipped, the rest of the plan goes.
 */
class RetentionRaceTest {
    static final Repository REPO = Repository.of("race/app");

    @TempDir
    Path dir;

    @Test
    void whatChangedSinceThePlanIsSkipped() {
        MovableClock clock = new MovableClock();
        try (Database database = Database.open(TestDatabases.sqlite(dir))) {
            JdbcManifestIndex jdbc = new JdbcManifestIndex(database, clock);
            Digest a = push(jdbc, clock, "a", "t1");
            clock.advance(Duration.ofMinutes(1));
            Digest b = push(jdbc, clock, "b", "t2");
            clock.advance(Duration.ofMinutes(1));
            Digest c = push(jdbc, clock, "c", "t3");
            clock.advance(Duration.ofMinutes(1));
            push(jdbc, clock, "d", "t4");
            // Keep the latest one: t1, t2, t3 and their manifests go.
            RetentionConfig config = new RetentionConfig(Duration.ZERO, List.of(new RetentionPolicy("latest",
                    List.of(RepositoryGlob.of("**")), Set.of(), List.of(), List.of(new KeepRule("keep[0]",
                    Optional.empty(), Set.of(), OptionalInt.of(1), Optional.empty(), Optional.empty())))));
            AtomicBoolean pushed = new AtomicBoolean();
            ManifestIndex racing = new Racing(jdbc, () -> {
                if (pushed.compareAndSet(false, true)) {
                    // While the run deletes t1: a client moves t2 to a new manifest and tags c again.
                    push(jdbc, clock, "e", "t2");
                    jdbc.put(jdbc.manifest(REPO, c).orElseThrow(), List.of(), List.of(),
                            Optional.of(new Reference.Tag("rescued")));
                }
            });
            Retention retention = new Retention(config, racing, new JdbcRepositorySnapshots(database),
                    new CollectionLease(database, clock), new PullTimes(new JdbcPullTimes(database), clock,
                    Duration.ofHours(1)), clock, "test", ImmutableTags.NONE, Optional::empty);

            RetentionRun run = ((Retention.Finished) retention.run(false)).run();

            assertThat(run.error()).isEmpty();
            assertThat(run.skipped()).extracting(d -> d.tag().orElse(d.digest().toString()))
                    .containsExactlyInAnyOrder("t2", c.toString());
            assertThat(run.deletions()).extracting(d -> d.tag().orElse(d.digest().toString()))
                    .containsExactlyInAnyOrder("t1", "t3", a.toString(), b.toString());
            assertThat(jdbc.tags(REPO, Optional.empty(), 10)).containsExactly("rescued", "t2", "t4");
            assertThat(jdbc.manifest(REPO, c)).isPresent();
            assertThat(jdbc.manifest(REPO, a)).isEmpty();
            assertThat(jdbc.manifest(REPO, b)).as("t2 moved away: b was left untagged as planned").isEmpty();
        }
    }

    private static Digest push(ManifestIndex index, MovableClock clock, String name, String tag) {
        byte[] content = ("{\"schemaVersion\":2,\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(content);
        index.put(new StoredManifest(REPO, digest, "application/vnd.oci.image.manifest.v1+json", content,
                Optional.empty(), Optional.empty(), Map.of(), clock.instant()), List.of(), List.of(),
                Optional.of(new Reference.Tag(tag)));
        return digest;
    }

    /** The index, with a push racing the first tag deletion. */
    private record Racing(ManifestIndex delegate, Runnable beforeFirstDelete) implements ManifestIndex {
        @Override
        public Optional<StoredManifest> manifest(Repository repository, Digest digest) {
            return delegate.manifest(repository, digest);
        }

        @Override
        public Optional<StoredManifest> manifestByTag(Repository repository, Reference.Tag tag) {
            return delegate.manifestByTag(repository, tag);
        }

        @Override
        public void put(StoredManifest manifest, List<Digest> blobs, List<Digest> children,
                        Optional<Reference.Tag> tag, RequestContext context) {
            delegate.put(manifest, blobs, children, tag, context);
        }

        @Override
        public boolean delete(Repository repository, Digest digest, RequestContext context) {
            return delegate.delete(repository, digest, context);
        }

        @Override
        public boolean deleteTag(Repository repository, Reference.Tag tag, RequestContext context) {
            beforeFirstDelete.run();
            return delegate.deleteTag(repository, tag, context);
        }

        @Override
        public List<String> tags(Repository repository, Optional<String> last, int limit) {
            return delegate.tags(repository, last, limit);
        }

        @Override
        public List<Repository> repositories(Optional<String> last, int limit) {
            return delegate.repositories(last, limit);
        }

        @Override
        public boolean exists(Repository repository) {
            return delegate.exists(repository);
        }

        @Override
        public List<Descriptor> referrers(Repository repository, Digest subject, Optional<String> artifactType,
                                          Optional<Digest> last, int limit) {
            return delegate.referrers(repository, subject, artifactType, last, limit);
        }
    }
}
