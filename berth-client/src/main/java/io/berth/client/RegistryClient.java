package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.client.auth.Authenticator;
import io.berth.client.auth.Scope;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Endpoint;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Every distribution-spec call against one registry ({@code host[:port]}): Berth, CNCF Distribution, zot, Harbor,
 * ghcr.io … URLs come from the shared {@link Endpoint} table; things that may legitimately be missing are
 * {@link Optional}; every other failure is a {@link RegistryClientException} carrying the spec's error code.
 * Thread-safe; one instance per registry, created by {@link #create}.
 *
 * <pre>{@code
 * RegistryClient registry = RegistryClient.create("localhost:5000", ClientOptions.defaults().withPlainHttp(true));
 * Optional<FetchedManifest> m = registry.manifest(Repository.of("samples/helm/hello-world"), Reference.parse("1.0"));
 * }</pre>
 */
public final class RegistryClient {
    private final Transport transport;
    private final ManifestPuller manifestPuller;
    private final ManifestChecker manifestChecker;
    private final ManifestPusher manifestPusher;
    private final ContentDeleter deleter;
    private final BlobChecker blobChecker;
    private final BlobPuller blobPuller;
    private final BlobPusher blobPusher;
    private final BlobMounter blobMounter;
    private final TagLister tagLister;
    private final CatalogLister catalogLister;
    private final ReferrersLister referrersLister;
    private final ReferrersTag referrersTag;
    private final ServedTypesFetcher servedTypes;

    private RegistryClient(Transport transport) {
        this.transport = transport;
        this.manifestPuller = new ManifestPuller(transport);
        this.manifestChecker = new ManifestChecker(transport, manifestPuller);
        this.referrersTag = new ReferrersTag(transport, manifestPuller);
        this.manifestPusher = new ManifestPusher(transport, referrersTag);
        this.deleter = new ContentDeleter(transport);
        this.blobChecker = new BlobChecker(transport);
        this.blobPuller = new BlobPuller(transport);
        this.blobPusher = new BlobPusher(transport);
        this.blobMounter = new BlobMounter(transport);
        this.tagLister = new TagLister(transport);
        this.catalogLister = new CatalogLister(transport);
        this.referrersLister = new ReferrersLister(transport, referrersTag);
        this.servedTypes = new ServedTypesFetcher(transport);
    }

    /** A client for {@code registry} ({@code host[:port]}, no scheme: {@link ClientOptions#plainHttp()} decides). */
    public static RegistryClient create(String registry, ClientOptions options) {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .build();
        return new RegistryClient(new Transport(registry, http, new Authenticator(options.credentials(), http), options));
    }

    public String registry() {
        return transport.registry();
    }

    public ClientOptions options() {
        return transport.options();
    }

    /** {@code GET /v2/}: succeeds when the registry speaks the distribution API and accepts the credentials. */
    public void ping() {
        try (Response response = transport.send(Call.of("GET", transport.uri(Endpoint.BASE, new Object[0]), Scope.NONE))) {
            if (response.status() != 200) {
                throw response.error();
            }
            response.bytes();
        }
    }

    /**
     * {@code POST /api/v1/admin/gc[?dryRun=true]} on a Berth server: runs a garbage collection and returns its report
     * as the server wrote it ({@code id}, {@code status}, {@code blobsDeleted}, {@code bytesFreed}, …; see the
     * server's {@code docs/storage.md}). Fails with the server's error, {@code UNSUPPORTED} (409) when a collection
     * is already running or collections are paused.
     */
    public JsonNode collectGarbage(boolean dryRun) {
        return new GarbageCollectionRequester(transport).collect(dryRun);
    }

    /**
     * {@code POST /api/v1/admin/scrub} on a Berth server: starts a scrub (re-hashing every stored blob, quarantining
     * corrupt ones) and returns its report, final or, for a long one, so far ({@code status} {@code running}). Fails
     * with {@code UNSUPPORTED} (409) while one is running.
     */
    public JsonNode startScrub() {
        return new ScrubRequester(transport).start();
    }

    /** {@code GET /api/v1/admin/scrub} on a Berth server: its recent scrubs, newest first, under {@code runs}. */
    public JsonNode scrubs() {
        return new ScrubRequester(transport).recent();
    }

    /**
     * {@code GET /api/v1/admin/retention/preview} on a Berth server: what its retention policies would delete now and
     * why ({@code deletions}: {@code repository}, {@code tag} or null, {@code digest}, {@code type}, {@code policy},
     * {@code rule}, {@code reason}); deletes nothing.
     */
    public JsonNode previewRetention() {
        return new RetentionRequester(transport).preview();
    }

    /**
     * {@code POST /api/v1/admin/retention[?dryRun=true]} on a Berth server: runs its retention policies now and returns
     * the report (as {@link #previewRetention}, with what was deleted). Fails with {@code UNSUPPORTED} (409) when a
     * garbage collection or another run is going on, or collections are paused.
     */
    public JsonNode runRetention(boolean dryRun) {
        return new RetentionRequester(transport).run(dryRun);
    }

    /** Every repository ({@code GET /v2/_catalog}, all pages). */
    public List<Repository> repositories() {
        return catalogLister.list();
    }

    /**
     * The registry's own artifact type catalog when it is a Berth server ({@code GET /api/v1/types}), with the types
     * its operators configured; empty for every other registry.
     */
    public Optional<TypeCatalog> servedTypes() {
        return servedTypes.fetch();
    }

    /** Every tag of {@code repository}; empty when the registry does not know the repository. */
    public Optional<List<String>> tags(Repository repository) {
        return tagLister.list(repository);
    }

    /** The manifest's exact bytes; empty when it does not exist. */
    public Optional<FetchedManifest> manifest(Repository repository, Reference reference) {
        return manifestPuller.pull(repository, reference);
    }

    /** The manifest's descriptor (HEAD); empty when it does not exist. */
    public Optional<Descriptor> resolve(Repository repository, Reference reference) {
        return manifestChecker.check(repository, reference);
    }

    /**
     * Pushes a manifest under a tag or its digest. Returns its descriptor, with artifact type and annotations. A
     * manifest with a {@code subject} pushed to a registry without the referrers API is added to the subject's
     * referrers tag index.
     */
    public Descriptor pushManifest(Repository repository, Reference reference, byte[] bytes, String mediaType) {
        return manifestPusher.push(repository, reference, bytes, mediaType);
    }

    /** Deletes a manifest (by digest; by tag where the registry allows it); false when it was not there. */
    public boolean deleteManifest(Repository repository, Reference reference) {
        return deleter.delete(Endpoint.MANIFEST, repository, reference);
    }

    /** The blob's size when it exists (HEAD). */
    public Optional<Long> blobSize(Repository repository, Digest digest) {
        return blobChecker.check(repository, digest);
    }

    /** The blob as a stream that fails on a wrong size or digest; empty when it does not exist. Close it. */
    public Optional<InputStream> openBlob(Repository repository, Descriptor blob) {
        return blobPuller.open(repository, blob);
    }

    /**
     * Streams a blob to {@code target}, verifying it; the file appears (atomically) only when the digest matched.
     *
     * @throws RegistryClientException {@code BLOB_UNKNOWN} when it does not exist
     */
    public void pullBlob(Repository repository, Descriptor blob, Path target, LongConsumer progress) {
        InputStream in = openBlob(repository, blob).orElseThrow(() -> new RegistryClientException(
                io.berth.oci.ErrorCode.BLOB_UNKNOWN, 404, repository + "@" + blob.digest() + " does not exist on " + registry()));
        Path dir = target.toAbsolutePath().getParent();
        try (in) {
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, "." + target.getFileName(), ".part");
            try {
                try (var out = Files.newOutputStream(part)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                        progress.accept(n);
                    }
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new RegistryClientException(io.berth.oci.ErrorCode.DIGEST_INVALID, 0, repository + "@" + blob.digest()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Uploads a blob whose descriptor is known, unless the registry has it already (HEAD first).
     *
     * @return true when uploaded, false when it was there
     */
    public boolean pushBlob(Repository repository, Descriptor blob, BlobSource source, LongConsumer progress) {
        if (blobSize(repository, blob.digest()).isPresent()) {
            return false;
        }
        blobPusher.push(repository, blob, source, progress);
        return true;
    }

    /** Uploads a stream whose digest is not known in advance (hashed while it streams); returns its descriptor. */
    public Descriptor pushBlob(Repository repository, String mediaType, InputStream content, LongConsumer progress) {
        return blobPusher.push(repository, mediaType, content, progress);
    }

    /** Mounts a blob from another repository of this registry; false when the registry would not. */
    public boolean mountBlob(Repository target, Repository source, Digest digest) {
        return blobMounter.mount(target, source, digest);
    }

    /** Deletes a blob; false when it was not there. */
    public boolean deleteBlob(Repository repository, Digest digest) {
        return deleter.delete(Endpoint.BLOB, repository, digest);
    }

    /**
     * The manifests whose {@code subject} is {@code subject}, optionally of one artifact type: from the referrers API,
     * or from the referrers tag index on registries without it.
     */
    public List<Descriptor> referrers(Repository repository, Digest subject, Optional<String> artifactType) {
        return referrersLister.list(repository, subject, artifactType);
    }

    /** Removes {@code referrer} from the subject's referrers tag index, if there is one (after deleting a referrer). */
    public void forgetReferrer(Repository repository, Digest subject, Digest referrer) {
        referrersTag.remove(repository, subject, referrer);
    }

    /** This registry's repository as a {@link ContentStore}. */
    public ContentStore store(Repository repository) {
        return new RepositoryStore(this, repository);
    }

}
