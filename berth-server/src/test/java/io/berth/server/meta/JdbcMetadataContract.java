package io.berth.server.meta;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.ErrorCode;
import io.berth.oci.MediaTypes;
import io.berth.oci.Reference.Tag;
import io.berth.oci.RegistryException;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import io.berth.oci.type.TypeSource;
import io.berth.server.type.Retyping;
import io.berth.server.meta.DatabaseConfig;
import io.berth.server.meta.UploadIndex.Upload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every JDBC metadata database must do, run once per database by the subclasses. Each test gets an empty,
 * freshly migrated database of its own.
 */
abstract class JdbcMetadataContract {
    static final Repository APP = Repository.of("team/app");
    static final Repository OTHER = Repository.of("team/other");
    static final Instant PUSHED_AT = Instant.ofEpochMilli(1_700_000_000_123L);

    Database database;
    JdbcBlobIndex blobs;
    JdbcManifestIndex manifests;
    JdbcUploadIndex uploads;

    /** The configuration of an empty database that no other test uses. */
    abstract DatabaseConfig emptyDatabase() throws Exception;

    /** Releases what {@link #emptyDatabase} made; called after the test's {@link Database} is closed. */
    void discardDatabase() throws Exception {
    }

    @BeforeEach
    void openDatabase() throws Exception {
        database = Database.open(emptyDatabase());
        blobs = new JdbcBlobIndex(database);
        manifests = new JdbcManifestIndex(database);
        uploads = new JdbcUploadIndex(database);
    }

    @AfterEach
    void closeDatabase() throws Exception {
        if (database != null) {
            database.close();
        }
        discardDatabase();
    }

    // ---- blobs ----

    @Test
    void linkMakesTheBlobKnownInThatRepositoryOnly() {
        Digest layer = blobDigest("layer");
        blobs.link(APP, layer, 42);
        blobs.link(APP, layer, 42);

        assertThat(blobs.linkedBlobSize(APP, layer)).contains(42L);
        assertThat(blobs.linkedBlobSize(OTHER, layer)).isEmpty();
        assertThat(blobs.linkedBlobSize(APP, blobDigest("never pushed"))).isEmpty();
        assertThat(blobs.anyRepositoryWith(layer)).contains(APP);
        assertThat(blobs.anyRepositoryWith(blobDigest("never pushed"))).isEmpty();
    }

    @Test
    void repositoriesWithPagesThroughTheRepositoriesHoldingABlobByName() {
        Digest layer = blobDigest("shared layer");
        blobs.link(OTHER, layer, 3);
        blobs.link(APP, layer, 3);
        blobs.link(Repository.of("zeta/app"), layer, 3);
        blobs.link(APP, blobDigest("another layer"), 3);

        assertThat(blobs.repositoriesWith(layer, "", 10)).containsExactly(APP, OTHER, Repository.of("zeta/app"));
        assertThat(blobs.repositoriesWith(layer, "", 2)).containsExactly(APP, OTHER);
        assertThat(blobs.repositoriesWith(layer, OTHER.name(), 2)).containsExactly(Repository.of("zeta/app"));
        assertThat(blobs.repositoriesWith(blobDigest("never pushed"), "", 10)).isEmpty();
    }

    @Test
    void unlinkRemovesOnlyThatRepositorysLink() {
        Digest layer = blobDigest("layer");
        blobs.link(APP, layer, 7);
        blobs.link(OTHER, layer, 7);

        assertThat(blobs.unlink(APP, layer)).isTrue();
        assertThat(blobs.unlink(APP, layer)).isFalse();
        assertThat(blobs.linkedBlobSize(APP, layer)).isEmpty();
        assertThat(blobs.linkedBlobSize(OTHER, layer)).contains(7L);
        assertThat(blobs.anyRepositoryWith(layer)).contains(OTHER);

        assertThat(blobs.unlink(OTHER, layer)).isTrue();
        assertThat(blobs.anyRepositoryWith(layer)).isEmpty();
        assertThat(blobs.unlink(Repository.of("never/used"), layer)).isFalse();
    }

    // ---- manifests ----

    @Test
    void putManifestIsReadableByDigestAndByTag() {
        Digest config = linkedBlob(APP, "config");
        Digest layer = linkedBlob(APP, "layer");
        StoredManifest image = new StoredManifest(APP, Digest.sha256(bytes("image")), MediaTypes.OCI_MANIFEST,
                bytes("image"), Optional.of("application/vnd.example+type"), Optional.of(blobDigest("subject")),
                Map.of("org.opencontainers.image.title", "app", "ünïcode", "✓"), PUSHED_AT);

        manifests.put(image, List.of(config, layer, config), List.of(), Optional.of(new Tag("v1")));

        assertThat(manifests.manifest(APP, image.digest())).hasValueSatisfying(stored -> assertSame(stored, image));
        assertThat(manifests.manifestByTag(APP, new Tag("v1"))).hasValueSatisfying(stored -> assertSame(stored, image));
        assertThat(manifests.manifestByTag(APP, new Tag("v2"))).isEmpty();
        assertThat(manifests.manifest(OTHER, image.digest())).isEmpty();
        assertThat(manifests.manifestByTag(OTHER, new Tag("v1"))).isEmpty();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("v1");
    }

    @Test
    void putWithoutTagStoresOnlyTheManifest() {
        StoredManifest image = pushed(APP, "untagged");

        assertThat(manifests.manifest(APP, image.digest())).isPresent();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).isEmpty();
    }

    @Test
    void putReferencingAnUnlinkedBlobFailsNamingItAndWritesNothing() {
        Repository fresh = Repository.of("fresh");
        Digest linkedElsewhere = linkedBlob(APP, "layer");
        StoredManifest image = manifest(fresh, "image");

        assertThatThrownBy(() -> manifests.put(image, List.of(linkedElsewhere), List.of(), Optional.of(new Tag("v1"))))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).contains(linkedElsewhere.toString());
                });

        assertThat(manifests.manifest(fresh, image.digest())).isEmpty();
        assertThat(manifests.manifestByTag(fresh, new Tag("v1"))).isEmpty();
        assertThat(manifests.exists(fresh)).isFalse();
        assertThat(manifests.repositories(Optional.empty(), 10)).containsExactly(APP);
    }

    @Test
    void putWithOneMissingBlobAmongLinkedOnesNamesTheMissingOne() {
        Digest config = linkedBlob(APP, "config");
        Digest missing = blobDigest("missing layer");
        StoredManifest image = manifest(APP, "image");

        assertThatThrownBy(() -> manifests.put(image, List.of(config, missing), List.of(), Optional.of(new Tag("v1"))))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).contains(missing.toString()).doesNotContain(config.toString());
                });
        assertThat(manifests.manifest(APP, image.digest())).isEmpty();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).isEmpty();
    }

    @Test
    void putIndexRequiresItsChildManifestsInTheRepository() {
        StoredManifest child = manifest(APP, "child");
        StoredManifest index = new StoredManifest(APP, Digest.sha256(bytes("index")), MediaTypes.OCI_INDEX,
                bytes("index"), Optional.empty(), Optional.empty(), Map.of(), PUSHED_AT);
        manifests.put(manifest(OTHER, "child"), List.of(), List.of(), Optional.empty());

        assertThatThrownBy(() -> manifests.put(index, List.of(), List.of(child.digest()), Optional.of(new Tag("multi"))))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
                    assertThat(e.detail()).contains(child.digest().toString());
                });
        assertThat(manifests.manifest(APP, index.digest())).isEmpty();

        manifests.put(child, List.of(), List.of(), Optional.empty());
        manifests.put(index, List.of(), List.of(child.digest()), Optional.of(new Tag("multi")));
        assertThat(manifests.manifestByTag(APP, new Tag("multi"))).map(StoredManifest::digest).contains(index.digest());
    }

    @Test
    void puttingTheSameDigestAgainKeepsTheStoredManifestAndAddsTheTag() {
        StoredManifest first = pushed(APP, "image", "v1");
        StoredManifest again = new StoredManifest(APP, first.digest(), first.mediaType(), bytes("image"),
                Optional.of("changed/type"), Optional.empty(), Map.of("changed", "yes"), PUSHED_AT.plusSeconds(60));

        manifests.put(again, List.of(), List.of(), Optional.of(new Tag("v2")));

        assertThat(manifests.manifest(APP, first.digest())).hasValueSatisfying(stored -> assertSame(stored, first));
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("v1", "v2");
        assertThat(manifests.manifestByTag(APP, new Tag("v2"))).map(StoredManifest::digest).contains(first.digest());
    }

    @Test
    void tagMovesToTheManifestPutLast() {
        StoredManifest old = pushed(APP, "old", "latest");
        StoredManifest current = pushed(APP, "new", "latest");

        assertThat(manifests.manifestByTag(APP, new Tag("latest"))).map(StoredManifest::digest).contains(current.digest());
        assertThat(manifests.manifest(APP, old.digest())).isPresent();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("latest");
    }

    @Test
    void deletingAManifestRemovesItsTagsAndItsReferrerEntry() {
        StoredManifest subject = pushed(APP, "subject", "stable");
        StoredManifest signature = referrer(APP, subject.digest(), "application/vnd.example.sig", "signature");
        manifests.put(signature, List.of(), List.of(), Optional.of(new Tag("sig-a")));
        manifests.put(signature, List.of(), List.of(), Optional.of(new Tag("sig-b")));

        assertThat(manifests.delete(APP, signature.digest())).isTrue();

        assertThat(manifests.manifest(APP, signature.digest())).isEmpty();
        assertThat(manifests.manifestByTag(APP, new Tag("sig-a"))).isEmpty();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("stable");
        assertThat(manifests.referrers(APP, subject.digest(), Optional.empty(), Optional.empty(), 10)).isEmpty();
        assertThat(manifests.delete(APP, signature.digest())).isFalse();
        assertThat(manifests.delete(OTHER, subject.digest())).isFalse();
        assertThat(manifests.manifestByTag(APP, new Tag("stable"))).isPresent();
    }

    @Test
    void deletingAManifestLetsItsBlobsAndChildrenStay() {
        Digest layer = linkedBlob(APP, "layer");
        StoredManifest child = pushed(APP, "child");
        StoredManifest parent = manifest(APP, "parent");
        manifests.put(parent, List.of(layer), List.of(child.digest()), Optional.of(new Tag("p")));

        assertThat(manifests.delete(APP, parent.digest())).isTrue();

        assertThat(blobs.linkedBlobSize(APP, layer)).isPresent();
        assertThat(manifests.manifest(APP, child.digest())).isPresent();
        manifests.put(parent, List.of(layer), List.of(child.digest()), Optional.empty());
        assertThat(manifests.manifest(APP, parent.digest())).isPresent();
    }

    @Test
    void deleteTagRemovesOnlyTheTag() {
        StoredManifest image = pushed(APP, "image", "v1");
        manifests.put(image, List.of(), List.of(), Optional.of(new Tag("v2")));

        assertThat(manifests.deleteTag(APP, new Tag("v1"))).isTrue();
        assertThat(manifests.deleteTag(APP, new Tag("v1"))).isFalse();
        assertThat(manifests.deleteTag(OTHER, new Tag("v2"))).isFalse();

        assertThat(manifests.manifest(APP, image.digest())).isPresent();
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("v2");
    }

    // ---- listing ----

    @Test
    void tagsAreListedInByteOrderAndPagedAfterLast() {
        StoredManifest image = pushed(APP, "image");
        List<String> names = List.of("latest", "Latest", "v1.0", "v1-0", "v1_0", "V2", "_x", "1.0", "a", "A", "z", "Z",
                "v1", "v10", "v9");
        for (String name : names) {
            manifests.put(image, List.of(), List.of(), Optional.of(new Tag(name)));
        }
        pushed(OTHER, "image", "not-in-app");
        List<String> byteOrder = names.stream().sorted().toList();

        assertThat(manifests.tags(APP, Optional.empty(), 100)).containsExactlyElementsOf(byteOrder);
        assertThat(pagesOf(4, last -> manifests.tags(APP, last, 4))).containsExactlyElementsOf(byteOrder);
        assertThat(manifests.tags(APP, Optional.of("v1"), 3)).containsExactly("v1-0", "v1.0", "v10");
        assertThat(manifests.tags(APP, Optional.of("W"), 3)).containsExactly("Z", "_x", "a");
        assertThat(manifests.tags(APP, Optional.of("z"), 3)).isEmpty();
        assertThat(manifests.tags(APP, Optional.empty(), 0)).isEmpty();
        assertThat(manifests.tags(Repository.of("unknown"), Optional.empty(), 10)).isEmpty();
    }

    @Test
    void repositoriesHoldingContentAreListedInLexicalOrderAndPaged() {
        List<Repository> holding = Stream.of("b", "a/c", "a-b", "a.b", "a_b", "a", "a/b/c", "a0")
                .map(Repository::of).toList();
        for (int i = 0; i < holding.size(); i++) {
            if (i % 2 == 0) {
                pushed(holding.get(i), "image");
            } else {
                linkedBlob(holding.get(i), "layer");
            }
        }
        Repository emptied = Repository.of("a/emptied");
        blobs.link(emptied, blobDigest("gone"), 1);
        blobs.unlink(emptied, blobDigest("gone"));
        Repository deleted = Repository.of("a/deleted");
        manifests.delete(deleted, pushed(deleted, "gone").digest());
        List<Repository> lexical = holding.stream().sorted().toList();

        assertThat(manifests.repositories(Optional.empty(), 100)).containsExactlyElementsOf(lexical);
        assertThat(pagesOf(3, last -> manifests.repositories(last, 3).stream().map(Repository::name).toList()))
                .containsExactlyElementsOf(lexical.stream().map(Repository::name).toList());
        assertThat(manifests.repositories(Optional.of("a/b/c"), 2)).extracting(Repository::name).containsExactly("a/c", "a0");
        assertThat(manifests.repositories(Optional.empty(), 0)).isEmpty();
    }

    @Test
    void aRepositoryExistsWhileItHoldsAManifestOrABlobLink() {
        assertThat(manifests.exists(APP)).isFalse();
        Digest layer = linkedBlob(APP, "layer");
        assertThat(manifests.exists(APP)).isTrue();
        StoredManifest image = pushed(APP, "image");
        blobs.unlink(APP, layer);
        assertThat(manifests.exists(APP)).isTrue();
        manifests.delete(APP, image.digest());
        assertThat(manifests.exists(APP)).isFalse();
        assertThat(manifests.exists(OTHER)).isFalse();
    }

    // ---- referrers ----

    @Test
    void referrersAreDescriptorsOrderedByDigestFilteredByTypeAndPaged() {
        StoredManifest subject = pushed(APP, "subject");
        List<StoredManifest> signatures = new ArrayList<>();
        List<StoredManifest> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            StoredManifest signature = referrer(APP, subject.digest(), "application/vnd.example.sig", "sig " + i);
            StoredManifest sbom = referrer(APP, subject.digest(), "application/vnd.example.sbom", "sbom " + i);
            manifests.put(signature, List.of(), List.of(), Optional.empty());
            manifests.put(sbom, List.of(), List.of(), Optional.empty());
            signatures.add(signature);
            all.add(signature);
            all.add(sbom);
        }
        manifests.put(referrer(APP, blobDigest("another subject"), "application/vnd.example.sig", "elsewhere"),
                List.of(), List.of(), Optional.empty());
        manifests.put(referrer(OTHER, subject.digest(), "application/vnd.example.sig", "other repo"),
                List.of(), List.of(), Optional.empty());

        List<Descriptor> everything = manifests.referrers(APP, subject.digest(), Optional.empty(), Optional.empty(), 100);
        assertThat(everything).containsExactlyElementsOf(descriptorsByDigest(all));
        assertThat(manifests.referrers(APP, subject.digest(), Optional.of("application/vnd.example.sig"),
                Optional.empty(), 100)).containsExactlyElementsOf(descriptorsByDigest(signatures));

        List<Descriptor> paged = new ArrayList<>();
        Optional<Digest> last = Optional.empty();
        for (List<Descriptor> page; !(page = manifests.referrers(APP, subject.digest(), Optional.empty(), last, 3)).isEmpty(); ) {
            assertThat(page).hasSizeLessThanOrEqualTo(3);
            paged.addAll(page);
            last = Optional.of(page.get(page.size() - 1).digest());
        }
        assertThat(paged).isEqualTo(everything);
        assertThat(manifests.referrers(APP, subject.digest(), Optional.of("application/vnd.example.sig"),
                Optional.of(descriptorsByDigest(signatures).get(1).digest()), 1))
                .containsExactly(descriptorsByDigest(signatures).get(2));
        assertThat(manifests.referrers(APP, blobDigest("no referrers"), Optional.empty(), Optional.empty(), 10)).isEmpty();
    }

    // ---- uploads ----

    @Test
    void uploadsUntouchedSinceACutoffAreListedLeastRecentlyTouchedFirstAndBounded() {
        Upload oldest = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        Upload older = new Upload(UUID.randomUUID(), OTHER, PUSHED_AT.plusSeconds(10));
        Upload recent = new Upload(UUID.randomUUID(), APP, PUSHED_AT.plusSeconds(100));
        Upload oldButTouched = new Upload(UUID.randomUUID(), APP, PUSHED_AT.minusSeconds(100));
        uploads.create(recent);
        uploads.create(older);
        uploads.create(oldest);
        uploads.create(oldButTouched);

        assertThat(uploads.touch(oldButTouched.id(), PUSHED_AT.plusSeconds(60))).isTrue();

        assertThat(uploads.untouchedSince(PUSHED_AT.plusSeconds(50), 10)).containsExactly(oldest.id(), older.id());
        assertThat(uploads.untouchedSince(PUSHED_AT.plusSeconds(50), 1)).containsExactly(oldest.id());
        assertThat(uploads.untouchedSince(PUSHED_AT, 10)).isEmpty();
        assertThat(uploads.upload(oldButTouched.id())).contains(new Upload(oldButTouched.id(), APP,
                PUSHED_AT.minusSeconds(100), PUSHED_AT.plusSeconds(60)));
        assertThat(uploads.touch(UUID.randomUUID(), PUSHED_AT)).as("no such session").isFalse();
    }

    @Test
    void anUploadIsDeletedForExpiryOnlyWhileStillUntouchedSinceTheCutoff() {
        Upload idle = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        Upload touchedMeanwhile = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        uploads.create(idle);
        uploads.create(touchedMeanwhile);
        Instant cutoff = PUSHED_AT.plusSeconds(30);
        assertThat(uploads.untouchedSince(cutoff, 10)).containsExactlyInAnyOrder(idle.id(), touchedMeanwhile.id());

        uploads.touch(touchedMeanwhile.id(), cutoff); // a request came between the sweep's list and its delete

        assertThat(uploads.deleteIfUntouchedSince(idle.id(), cutoff)).isTrue();
        assertThat(uploads.deleteIfUntouchedSince(touchedMeanwhile.id(), cutoff)).isFalse();
        assertThat(uploads.deleteIfUntouchedSince(idle.id(), cutoff)).as("gone already").isFalse();
        assertThat(uploads.upload(idle.id())).isEmpty();
        assertThat(uploads.upload(touchedMeanwhile.id())).isPresent();
        assertThat(uploads.touch(idle.id(), cutoff)).as("a request for the expired session finds nothing").isFalse();
        assertThat(uploads.count()).isEqualTo(1);
    }

    @Test
    void uploadsAreCreatedReadAndDeleted() {
        Upload upload = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        Upload another = new Upload(UUID.randomUUID(), OTHER, PUSHED_AT.plusSeconds(1));
        uploads.create(upload);
        uploads.create(another);

        assertThat(uploads.upload(upload.id())).contains(upload);
        assertThat(uploads.upload(UUID.randomUUID())).isEmpty();

        uploads.delete(upload.id());
        uploads.delete(upload.id());
        assertThat(uploads.upload(upload.id())).isEmpty();
        assertThat(uploads.upload(another.id())).contains(another);
    }

    @Test
    void linkingAnUploadedBlobEndsItsSessionAndNoOther() {
        Upload upload = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        Upload another = new Upload(UUID.randomUUID(), APP, PUSHED_AT);
        uploads.create(upload);
        uploads.create(another);
        Digest layer = blobDigest("uploaded");

        blobs.linkUploaded(APP, layer, 7, upload.id());

        assertThat(blobs.linkedBlobSize(APP, layer)).contains(7L);
        assertThat(uploads.upload(upload.id())).isEmpty();
        assertThat(uploads.upload(another.id())).contains(another);
    }

    // ---- concurrency ----

    @Test
    void concurrentLinksAndPutsOfTheSameBlobAndTagAllSucceed() throws Exception {
        int threads = 8;
        int rounds = 10;
        Digest layer = blobDigest("shared layer");
        StoredManifest shared = manifest(APP, "shared");
        List<StoredManifest> own = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            own.add(manifest(APP, "thread " + t));
        }
        inParallel(threads, t -> {
            StoredManifest mine = own.get(t);
            for (int round = 0; round < rounds; round++) {
                blobs.link(APP, layer, 99);
                manifests.put(shared, List.of(layer), List.of(), Optional.of(new Tag("stable")));
                manifests.put(mine, List.of(layer), List.of(), Optional.of(new Tag("latest")));
                blobs.link(OTHER, layer, 99);
            }
        });

        assertThat(blobs.linkedBlobSize(APP, layer)).contains(99L);
        assertThat(blobs.linkedBlobSize(OTHER, layer)).contains(99L);
        assertThat(manifests.tags(APP, Optional.empty(), 10)).containsExactly("latest", "stable");
        assertThat(manifests.manifestByTag(APP, new Tag("stable"))).map(StoredManifest::digest).contains(shared.digest());
        assertThat(manifests.manifestByTag(APP, new Tag("latest"))).map(StoredManifest::digest)
                .hasValueSatisfying(digest -> assertThat(own).extracting(StoredManifest::digest).contains(digest));
        for (StoredManifest manifest : own) {
            assertThat(manifests.manifest(APP, manifest.digest())).isPresent();
        }
        assertThat(manifests.repositories(Optional.empty(), 10)).containsExactly(APP, OTHER);
    }

    // ---- helpers ----

    /** What one of {@link #inParallel}'s threads does, given its number. */
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads released at once; fails with the first thread that failed. */
    static void inParallel(int threads, ThreadBody body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> result : results) {
                result.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Collects every page that {@code page} returns, following each page's last entry, checking the page sizes. */
    static List<String> pagesOf(int limit, java.util.function.Function<Optional<String>, List<String>> page) {
        List<String> all = new ArrayList<>();
        Optional<String> last = Optional.empty();
        for (List<String> current; !(current = page.apply(last)).isEmpty(); ) {
            assertThat(current).hasSizeLessThanOrEqualTo(limit);
            all.addAll(current);
            last = Optional.of(current.get(current.size() - 1));
        }
        return all;
    }

    static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    static Digest blobDigest(String seed) {
        return Digest.sha256(bytes("blob " + seed));
    }

    Digest linkedBlob(Repository repository, String seed) {
        Digest digest = blobDigest(seed);
        blobs.link(repository, digest, seed.length());
        return digest;
    }

    static StoredManifest manifest(Repository repository, String content) {
        return new StoredManifest(repository, Digest.sha256(bytes(content)), MediaTypes.OCI_MANIFEST, bytes(content),
                Optional.empty(), Optional.empty(), Map.of(), PUSHED_AT);
    }

    static StoredManifest referrer(Repository repository, Digest subject, String artifactType, String content) {
        return new StoredManifest(repository, Digest.sha256(bytes(content)), MediaTypes.OCI_MANIFEST, bytes(content),
                Optional.of(artifactType), Optional.of(subject), Map.of("created-by", content), PUSHED_AT);
    }

    StoredManifest pushed(Repository repository, String content, String... tags) {
        StoredManifest manifest = manifest(repository, content);
        manifests.put(manifest, List.of(), List.of(), Optional.empty());
        for (String tag : tags) {
            manifests.put(manifest, List.of(), List.of(), Optional.of(new Tag(tag)));
        }
        return manifest;
    }

    static List<Descriptor> descriptorsByDigest(List<StoredManifest> referrers) {
        return referrers.stream()
                .sorted(java.util.Comparator.comparing(StoredManifest::digest))
                .map(m -> new Descriptor(m.mediaType(), m.digest(), m.size(), m.artifactType(), m.annotations(),
                        Optional.empty(), List.of()))
                .toList();
    }

    // ---- repository counts (V12) ----

    /**
     * The counts the listing reads stay what a recount from the rows finds, through pushes, a tag move, tag and
     * manifest deletions (retention deletes through the same calls), an index whose deletion makes its children
     * top-level again, a referrer and a change of type; and they hold the figures a reader expects.
     */
    @Test
    void repositoryCountsFollowEveryManifestAndTagChange() {
        StoredManifest one = typed(manifest(APP, "one"), "oci-image");
        StoredManifest two = typed(manifest(APP, "two"), "oci-image");
        manifests.put(one, List.of(), List.of(), Optional.of(new Tag("v1")));
        manifests.put(one, List.of(), List.of(), Optional.of(new Tag("latest")));
        manifests.put(two, List.of(), List.of(), Optional.empty());
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 2, 2, 1));

        manifests.put(two, List.of(), List.of(), Optional.of(new Tag("latest"))); // moves latest from one to two
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 2, 2, 0));

        manifests.put(typed(referrer(APP, one.digest(), "application/spdx+json", "sbom"), "spdx-sbom"), List.of(),
                List.of(), Optional.empty());
        StoredManifest index = typed(new StoredManifest(APP, Digest.sha256(bytes("index")), MediaTypes.OCI_INDEX,
                bytes("index"), Optional.empty(), Optional.empty(), Map.of(), PUSHED_AT), "oci-image-index");
        StoredManifest child = typed(manifest(APP, "child"), "oci-image");
        manifests.put(child, List.of(), List.of(), Optional.empty());
        assertThat(counted()).contains(row(APP, "oci-image", 3, 2, 1));
        manifests.put(index, List.of(), List.of(child.digest()), Optional.of(new Tag("multi")));
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 3, 2, 0), row(APP, "oci-image-index", 1, 1, 0),
                row(APP, "spdx-sbom", 1, 0, 0));

        assertThat(manifests.deleteTag(APP, new Tag("v1"))).isTrue();
        assertCountsMatchRecount();
        assertThat(counted()).contains(row(APP, "oci-image", 3, 1, 1));
        assertThat(manifests.delete(APP, index.digest())).isTrue(); // its tag goes, its child is top-level again
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 3, 1, 2), row(APP, "spdx-sbom", 1, 0, 0));

        long appId = database.withConnection(c -> SqlStatement.sql(c, "SELECT id FROM repositories WHERE name = ?",
                APP.name()).first(r -> r.getLong(1)).orElseThrow());
        new JdbcClassificationIndex(database).update(new ClassificationIndex.Cursor(appId, two.digest().toString()),
                new StoredManifest.Classification("helm-chart", List.of(), two.size()));
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "helm-chart", 1, 1, 0), row(APP, "oci-image", 2, 0, 2),
                row(APP, "spdx-sbom", 1, 0, 0));

        assertThat(manifests.delete(APP, two.digest())).isTrue();
        assertThat(manifests.delete(APP, one.digest())).isTrue();
        assertCountsMatchRecount();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 1, 0, 1), row(APP, "spdx-sbom", 1, 0, 0));
        JdbcArtifactListing listing = new JdbcArtifactListing(database);
        assertThat(listing.repositories(new ArtifactListing.Filter(Optional.empty(), Optional.empty()), Optional.empty(), 10))
                .singleElement().satisfies(summary -> {
                    assertThat(summary.artifactsByType()).isEqualTo(Map.of("oci-image", 1L));
                    assertThat(summary.totalSize()).isEqualTo(child.size() + bytes("sbom").length);
                    assertThat(summary.lastPush()).isAfter(PUSHED_AT);
                });
    }

    /** The bytes linked into each repository stay what a recount finds through links, mounts, unlinks and collection. */
    @Test
    void linkedBytesFollowLinksMountsUnlinksAndCollection() {
        Digest shared = linkedBlob(APP, "shared", 1000);
        blobs.link(APP, shared, 1000); // again: no double count
        assertThat(blobs.mount(OTHER, shared)).isTrue();
        Digest config = linkedBlob(APP, "config", 10);
        Digest gone = linkedBlob(OTHER, "unreferenced", 7);
        manifests.put(manifest(APP, "image"), List.of(config, shared), List.of(), Optional.of(new Tag("v1")));
        assertCountsMatchRecount();
        assertThat(linkBytes()).containsExactly(APP.name() + " 1010", OTHER.name() + " 1007");

        assertThat(blobs.unlink(OTHER, shared)).isTrue();
        assertCountsMatchRecount();
        BlobGarbage garbage = new BlobGarbage(database);
        long cutoff = System.currentTimeMillis() + 60_000;
        BlobGarbage.Marked marked = garbage.mark(List.of(gone, shared), cutoff);
        assertThat(marked.digests()).containsExactly(gone);
        garbage.sweep(marked.digests(), digest -> 0L);
        assertCountsMatchRecount();
        assertThat(linkBytes()).containsExactly(APP.name() + " 1010");

        Digest stale = linkedBlob(APP, "stale", 5);
        manifests.put(manifest(OTHER, "other image"), List.of(), List.of(), Optional.empty());
        assertThat(blobs.mount(OTHER, stale)).isTrue();
        long otherId = database.withConnection(c -> SqlStatement.sql(c, "SELECT id FROM repositories WHERE name = ?",
                OTHER.name()).first(r -> r.getLong(1)).orElseThrow());
        assertThat(garbage.deleteLinks(List.of(new BlobGarbage.Link(otherId, stale)), cutoff)).isEqualTo(1);
        assertCountsMatchRecount();
        assertThat(linkBytes()).containsExactly(APP.name() + " 1015");
    }

    /**
     * A walk re-types what the catalog now types differently and records the catalog's fingerprint; with that catalog
     * the next walk reads nothing (a start-up with unchanged types), and a catalog with another type file walks again.
     */
    @Test
    void retypingWalksOncePerCatalog() {
        String json = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":\
                "application/vnd.acme.rocket.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}"""
                .formatted("4".repeat(64));
        StoredManifest rocket = typed(new StoredManifest(APP, Digest.sha256(bytes(json)), MediaTypes.OCI_MANIFEST,
                bytes(json), Optional.empty(), Optional.empty(), Map.of(), PUSHED_AT), "oci-image");
        manifests.put(rocket, List.of(), List.of(), Optional.of(new Tag("v1")));
        JdbcClassificationIndex index = new JdbcClassificationIndex(database);
        TypeCatalog builtIn = TypeCatalog.builtIn();
        assertThat(index.typedWith()).isEmpty();

        assertThat(new Retyping(index, () -> builtIn).run()).isEqualTo(1); // an unknown config: not an image
        assertThat(index.typedWith()).contains(builtIn.fingerprint());
        assertThat(counted()).containsExactly(row(APP, "unknown", 1, 1, 0));
        long appId = database.withConnection(c -> SqlStatement.sql(c, "SELECT id FROM repositories WHERE name = ?",
                APP.name()).first(r -> r.getLong(1)).orElseThrow());
        index.update(new ClassificationIndex.Cursor(appId, rocket.digest().toString()),
                new StoredManifest.Classification("oci-image", List.of(), rocket.size()));
        assertThat(new Retyping(index, () -> builtIn).run()).as("same catalog: no walk").isZero();
        assertThat(counted()).containsExactly(row(APP, "oci-image", 1, 1, 0));

        TypeCatalog withRocket = TypeCatalog.loadSources(List.of(TypeSource.of("acme.json", bytes("""
                {"schemaVersion": 1, "mediaTypes": [{"mediaType": "application/vnd.acme.rocket.config.v1+json"}]}"""))))
                .catalog();
        assertThat(withRocket.fingerprint()).isNotEqualTo(builtIn.fingerprint());
        assertThat(new Retyping(index, () -> withRocket).run()).isEqualTo(1);
        assertThat(index.typedWith()).contains(withRocket.fingerprint());
        assertThat(counted()).containsExactly(row(APP, "vnd-acme-rocket-config-v1-json", 1, 1, 0));
        assertCountsMatchRecount();
    }

    /** Concurrent pushes, tag moves and deletions in one repository leave the counts a recount finds. */
    @Test
    void repositoryCountsStayExactUnderConcurrentChanges() throws Exception {
        inParallel(6, thread -> {
            for (int round = 0; round < 15; round++) {
                StoredManifest mine = manifest(APP, "thread " + thread + " round " + round % 4);
                manifests.put(mine, List.of(), List.of(), Optional.of(new Tag("shared-" + round % 3)));
                manifests.put(mine, List.of(), List.of(), Optional.of(new Tag("own-" + thread)));
                manifests.deleteTag(APP, new Tag("shared-" + (round + 1) % 3));
                if (round % 5 == 4) {
                    manifests.delete(APP, mine.digest());
                }
            }
        });

        assertCountsMatchRecount();
        assertThat(counted()).isNotEmpty();
    }

    private static String row(Repository repository, String type, long manifests, long tags, long untagged) {
        return repository.name() + " " + type + " " + manifests + " " + tags + " " + untagged;
    }

    /** The kept counts, as {@link #row}s. */
    private List<String> counted() {
        return rows("""
                SELECT r.name || ' ' || c.type_id || ' ' || c.manifests || ' ' || c.tags || ' ' || c.untagged
                FROM repository_type_counts c JOIN repositories r ON r.id = c.repository_id ORDER BY r.name, c.type_id""");
    }

    private List<String> linkBytes() {
        return rows("""
                SELECT r.name || ' ' || l.bytes FROM repository_link_bytes l JOIN repositories r ON r.id = l.repository_id
                WHERE l.bytes <> 0 ORDER BY r.name""");
    }

    /** The counts, manifest bytes and linked bytes kept are those a count of the rows finds (V12's backfill). */
    private void assertCountsMatchRecount() {
        assertThat(counted()).isEqualTo(rows("""
                SELECT r.name || ' ' || m.type_id || ' ' || COUNT(*) || ' ' ||
                       SUM((SELECT COUNT(*) FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest))
                       || ' ' || SUM(CASE WHEN m.subject_digest IS NULL
                           AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest)
                           AND NOT EXISTS (SELECT 1 FROM manifest_children c
                                           WHERE c.repository_id = m.repository_id AND c.child_digest = m.digest)
                           THEN 1 ELSE 0 END)
                FROM manifests m JOIN repositories r ON r.id = m.repository_id
                GROUP BY r.name, m.type_id ORDER BY r.name, m.type_id"""));
        assertThat(rows("""
                SELECT r.name || ' ' || t.manifest_bytes FROM repository_totals t JOIN repositories r ON r.id = t.repository_id
                WHERE t.manifest_bytes <> 0 ORDER BY r.name""")).isEqualTo(rows("""
                SELECT r.name || ' ' || SUM(m.size) FROM manifests m JOIN repositories r ON r.id = m.repository_id
                GROUP BY r.name ORDER BY r.name"""));
        assertThat(linkBytes()).isEqualTo(rows("""
                SELECT r.name || ' ' || SUM(b.size) FROM repository_blobs l JOIN blobs b ON b.digest = l.digest
                JOIN repositories r ON r.id = l.repository_id GROUP BY r.name ORDER BY r.name"""));
    }

    private List<String> rows(String query) {
        return database.withConnection(c -> SqlStatement.sql(c, query).list(r -> r.getString(1)));
    }

    // ---- storage usage ----

    /**
     * Two repositories share a layer: it counts once in the total and fully in each. An index and its children are
     * one artifact of the index's type, whose bytes are its children's blobs; a referrer is an artifact of its own
     * type; a blob linked but in no manifest is unreferenced.
     */
    @Test
    void storageUsageCountsASharedBlobOnceInTheTotalAndFullyInEachRepository() {
        JdbcStorageUsage usage = new JdbcStorageUsage(database);
        assertThat(usage.usage()).isEqualTo(new StorageUsage.Usage(List.of(), List.of(), new StorageUsage.Total(0, 0)));
        Digest shared = blobDigest("shared layer");
        blobs.link(APP, shared, 1000);
        blobs.link(OTHER, shared, 1000);
        Repository solo = Repository.of("solo");
        blobs.link(solo, shared, 1000);
        Digest appConfig = linkedBlob(APP, "app config", 10);
        Digest otherConfig = linkedBlob(OTHER, "other config", 20);
        Digest armLayer = linkedBlob(APP, "arm layer", 300);
        Digest signatureBlob = linkedBlob(APP, "signature", 5);
        linkedBlob(APP, "pushed but no manifest yet", 7);

        StoredManifest amd64 = typed(manifest(APP, "amd64"), "oci-image");
        StoredManifest arm64 = typed(manifest(APP, "arm64"), "oci-image");
        manifests.put(amd64, List.of(appConfig, shared), List.of(), Optional.empty());
        manifests.put(arm64, List.of(appConfig, armLayer), List.of(), Optional.empty());
        StoredManifest index = typed(new StoredManifest(APP, Digest.sha256(bytes("index")), MediaTypes.OCI_INDEX,
                bytes("index"), Optional.empty(), Optional.empty(), Map.of(), PUSHED_AT), "multi-platform-image");
        manifests.put(index, List.of(), List.of(amd64.digest(), arm64.digest()), Optional.of(new Tag("v1")));
        StoredManifest signature = typed(referrer(APP, index.digest(), "application/vnd.dev.cosign", "sig"), "cosign-signature");
        manifests.put(signature, List.of(signatureBlob), List.of(), Optional.empty());
        StoredManifest chart = typed(manifest(OTHER, "chart"), "helm-chart");
        manifests.put(chart, List.of(otherConfig, shared), List.of(), Optional.of(new Tag("0.1.0")));
        manifests.put(chart, List.of(otherConfig, shared), List.of(), Optional.of(new Tag("latest")));

        StorageUsage.Usage figures = usage.usage();

        assertThat(figures.total()).as("each blob once").isEqualTo(new StorageUsage.Total(6, 1000 + 10 + 20 + 300 + 5 + 7));
        assertThat(figures.repositories()).containsExactly(
                new StorageUsage.RepositoryUsage(solo, 0, 0, 1000, 1000, List.of()),
                new StorageUsage.RepositoryUsage(APP, 2, 4, 1000 + 10 + 300 + 5 + 7, 7, List.of(
                        new StorageUsage.TypeUsage("multi-platform-image", 1, 1000 + 10 + 300),
                        new StorageUsage.TypeUsage("cosign-signature", 1, 5))),
                new StorageUsage.RepositoryUsage(OTHER, 1, 1, 1000 + 20, 0, List.of(
                        new StorageUsage.TypeUsage("helm-chart", 1, 1020))));
        assertThat(figures.namespaces()).as("a blob once per namespace; a name of one segment is its own").containsExactly(
                new StorageUsage.NamespaceUsage("solo", 0, 1000),
                new StorageUsage.NamespaceUsage("team", 5, 1000 + 10 + 20 + 300 + 5 + 7));
    }

    static StoredManifest typed(StoredManifest manifest, String typeId) {
        return new StoredManifest(manifest.repository(), manifest.digest(), manifest.mediaType(), manifest.content(),
                manifest.artifactType(), manifest.subject(), manifest.annotations(), manifest.pushedAt(),
                new StoredManifest.Classification(typeId, List.of(), manifest.size()));
    }

    Digest linkedBlob(Repository repository, String seed, long size) {
        Digest digest = blobDigest(seed);
        blobs.link(repository, digest, size);
        return digest;
    }

    static void assertSame(StoredManifest actual, StoredManifest expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }
}
