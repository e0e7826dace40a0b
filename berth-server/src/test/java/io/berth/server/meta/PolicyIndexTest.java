package io.berth.server.meta;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Digest;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Immutability and quotas are the indexes' own: every caller — a retention run deleting with
 * {@link RequestContext#INTERNAL}, a replication storing manifests — meets the same refusals as an HTTP client.
 */
class PolicyIndexTest {
    static final Repository APP = Repository.of("team/app");
    static final Reference.Tag RELEASE = new Reference.Tag("v1");
    static final ImmutableTags V_TAGS = (repository, tag, types) ->
            tag.name().startsWith("v") ? Optional.of("test rule") : Optional.empty();

    @TempDir
    Path dir;

    private void onDatabase(String database, Consumer<Database> test) {
        if (database.equals("sqlite")) {
            try (Database db = Database.open(TestDatabases.sqlite(dir))) {
                test.accept(db);
            }
            return;
        }
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             Database db = Database.open(schema.config())) {
            test.accept(db);
        }
    }

    private static StoredManifest manifest(String text) {
        byte[] content = ("{\"schemaVersion\":2,\"note\":\"" + text + "\"}").getBytes(UTF_8);
        return new StoredManifest(APP, Digest.sha256(content), MediaTypes.OCI_MANIFEST, content, Optional.empty(),
                Optional.empty(), Map.of(), Instant.now());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRetentionRunCanDeleteNeitherAnImmutableTagNorItsManifest(String database) {
        onDatabase(database, db -> {
            JdbcManifestIndex index = new JdbcManifestIndex(db, Clock.systemUTC(), ChangeListener.NONE, V_TAGS,
                    Quotas.NONE);
            StoredManifest release = manifest("release");
            index.put(release, List.of(), List.of(), Optional.of(RELEASE));
            index.put(release, List.of(), List.of(), Optional.of(RELEASE));
            index.put(release, List.of(), List.of(), Optional.of(new Reference.Tag("latest")));

            assertThatThrownBy(() -> index.deleteTag(APP, RELEASE, RequestContext.INTERNAL))
                    .isInstanceOf(ImmutableTagException.class).isInstanceOf(PolicyDenial.class)
                    .hasMessage("tag v1 cannot be deleted: tag v1 in team/app is immutable (test rule) and points at "
                            + release.digest());
            assertThatThrownBy(() -> index.delete(APP, release.digest(), RequestContext.INTERNAL))
                    .isInstanceOf(ImmutableTagException.class);
            assertThatThrownBy(() -> index.put(manifest("other"), List.of(), List.of(), Optional.of(RELEASE)))
                    .isInstanceOf(ImmutableTagException.class);
            assertThat(index.manifestByTag(APP, RELEASE).map(StoredManifest::digest)).hasValue(release.digest());
            assertThat(index.deleteTag(APP, new Reference.Tag("latest"), RequestContext.INTERNAL)).isTrue();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyLinkAndManifestPassesTheQuotas(String database) {
        onDatabase(database, db -> {
            Quotas quotas = repository -> List.of(new Quota(new Quota.Scope(Quota.Scope.Kind.NAMESPACE,
                    Quotas.namespaceOf(repository)), "quotas[0]", OptionalLong.of(100), OptionalLong.of(1)));
            JdbcBlobIndex blobs = new JdbcBlobIndex(db, Clock.systemUTC(), ChangeListener.NONE,
                    JdbcBlobIndex.DEFAULT_TOUCH_AFTER, quotas);
            JdbcManifestIndex index = new JdbcManifestIndex(db, Clock.systemUTC(), ChangeListener.NONE,
                    ImmutableTags.NONE, quotas);
            Digest first = Digest.sha256("first".getBytes(UTF_8));
            blobs.link(APP, first, 60);
            blobs.link(Repository.of("team/web"), first, 60); // the namespace holds it already
            assertThatThrownBy(() -> blobs.link(APP, Digest.sha256("second".getBytes(UTF_8)), 41))
                    .isInstanceOf(QuotaExceededException.class)
                    .hasMessageContaining("quota exceeded for namespace team: 60 B of 100 B stored (quotas[0])");
            blobs.link(APP, Digest.sha256("third".getBytes(UTF_8)), 40);

            index.put(manifest("one"), List.of(first), List.of(), Optional.empty());
            assertThatThrownBy(() -> index.put(manifest("two"), List.of(first), List.of(), Optional.empty()))
                    .isInstanceOf(QuotaExceededException.class)
                    .hasMessage("quota exceeded for namespace team: 1 of 1 manifests stored (quotas[0]); this manifest"
                            + " would be one more");
            // the same manifest again stores nothing new
            index.put(manifest("one"), List.of(first), List.of(), Optional.of(new Reference.Tag("again")));
        });
    }
}
