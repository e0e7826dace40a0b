package io.berth.client.artifact;

import io.berth.client.ClientOptions;
import io.berth.client.ContentStore;
import io.berth.client.FetchedManifest;
import io.berth.client.RegistryClient;
import io.berth.client.RegistryClientException;
import io.berth.oci.Descriptor;
import io.berth.oci.ErrorCode;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.oci.type.TypeCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an artifact author does with a registry, in one place: push files as an artifact, pull one into a directory,
 * copy between registries (every platform, every referrer), tag, attach a referrer, discover the referrers tree,
 * delete, list. Works on registry references ({@link ArtifactRef}) and on any {@link ContentStore}, such as an
 * {@link io.berth.client.layout.OciLayout}. One {@link RegistryClient} per registry host is created on demand and
 * shared. Close it to stop the transfer threads.
 *
 * <pre>{@code
 * try (Artifacts artifacts = Artifacts.create(ClientOptions.defaults().withPlainHttp(true))) {
 *     ArtifactRef ref = ArtifactRef.parse("localhost:5000/samples/docs:1.0");
 *     artifacts.push(ref, PushSpec.of("application/vnd.example.docs", List.of(FileSpec.parse("README.md:text/markdown"))),
 *             TransferListener.NONE);
 *     artifacts.pull(ref, Path.of("out"), Optional.empty(), TransferListener.NONE);
 * }
 * }</pre>
 */
public final class Artifacts implements AutoCloseable {
    private final ClientOptions options;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
    private final Transfers transfers;
    private final Transfers lookups;
    private final ArtifactPusher pusher;
    private final ArtifactPuller puller;
    private final GraphCopier copier;
    private final TagDescriber describer;
    private final Optional<TypeCatalog> catalog;
    private final Map<String, TypeCatalog> catalogs = new ConcurrentHashMap<>();

    private Artifacts(ClientOptions options, Optional<TypeCatalog> catalog) {
        this.options = options;
        this.transfers = new Transfers(options.parallelism());
        this.lookups = new Transfers(Math.max(4, options.parallelism()));
        this.pusher = new ArtifactPusher(transfers);
        this.puller = new ArtifactPuller(transfers);
        this.copier = new GraphCopier(transfers);
        this.describer = new TagDescriber(lookups);
        this.catalog = catalog;
    }

    /** Types artifacts with {@link #types}: a Berth server's own catalog, the built-in one for other registries. */
    public static Artifacts create(ClientOptions options) {
        return new Artifacts(options, Optional.empty());
    }

    /** Types artifacts with {@code catalog} for every registry. */
    public static Artifacts create(ClientOptions options, TypeCatalog catalog) {
        return new Artifacts(options, Optional.of(catalog));
    }

    /**
     * The catalog artifacts of {@code registry} are typed with: the one given to {@link #create(ClientOptions,
     * TypeCatalog)}, else the registry's own when it is a Berth server (so types its operators configured are known,
     * as in its UI), else the built-in one. Asked once per registry.
     */
    public TypeCatalog types(String registry) {
        return catalog.orElseGet(() -> catalogs.computeIfAbsent(registry,
                host -> client(host).servedTypes().orElse(TypeCatalog.builtIn())));
    }

    /** The client for {@code registry}, created on first use. */
    public RegistryClient client(String registry) {
        return clients.computeIfAbsent(registry, host -> RegistryClient.create(host, options));
    }

    /** The repository of {@code ref} as a store. */
    public ContentStore store(ArtifactRef ref) {
        return client(ref.registry()).store(ref.repository());
    }

    /** Pushes files as an artifact under {@code ref}'s tag (or by digest when it has none); returns the manifest's descriptor. */
    public Descriptor push(ArtifactRef ref, PushSpec spec, TransferListener listener) {
        return push(store(ref), ref.reference(), spec, listener);
    }

    public Descriptor push(ContentStore store, Optional<Reference> reference, PushSpec spec, TransferListener listener) {
        return pusher.push(store, reference, spec, Optional.empty(), listener);
    }

    /**
     * Pushes files as an artifact that refers to {@code subject} (a signature, an SBOM, docs …). On a registry
     * without the referrers API, the subject's referrers tag index is updated.
     */
    public Descriptor attach(ArtifactRef subject, PushSpec spec, TransferListener listener) {
        return attach(store(subject), subject.requireReference(), spec, listener);
    }

    public Descriptor attach(ContentStore store, Reference subject, PushSpec spec, TransferListener listener) {
        Descriptor target = require(store, subject).plainDescriptor();
        return pusher.push(store, Optional.empty(), spec, Optional.of(target), listener);
    }

    /**
     * Pulls the files of an artifact into {@code dir} (an index: the child for {@code platform}); returns the paths
     * written. Every blob is verified; names that would leave {@code dir} are refused.
     */
    public List<Path> pull(ArtifactRef ref, Path dir, Optional<String> platform, TransferListener listener) {
        return pull(store(ref), ref.requireReference(), dir, platform, listener);
    }

    public List<Path> pull(ContentStore store, Reference reference, Path dir, Optional<String> platform,
                           TransferListener listener) {
        return puller.pull(store, reference, dir, platform, listener);
    }

    /**
     * Copies an artifact with everything it reaches: every platform of an index and, when {@code referrers}, every
     * referrer. Within one registry blobs are mounted. The target keeps the source's tag unless it names its own.
     */
    public Descriptor copy(ArtifactRef from, ArtifactRef to, boolean referrers, TransferListener listener) {
        Reference source = from.requireReference();
        return copy(store(from), source, store(to), to.reference().orElse(source), referrers, listener);
    }

    public Descriptor copy(ContentStore from, Reference reference, ContentStore to, Reference as, boolean referrers,
                           TransferListener listener) {
        return copier.copy(from, reference, to, as, referrers, listener);
    }

    /** Adds tags to the manifest {@code ref} names (the same bytes, pushed under each tag). */
    public Descriptor tag(ArtifactRef ref, List<String> tags) {
        return tag(store(ref), ref.requireReference(), tags);
    }

    public Descriptor tag(ContentStore store, Reference reference, List<String> tags) {
        FetchedManifest manifest = require(store, reference);
        Descriptor result = manifest.plainDescriptor();
        for (String tag : tags) {
            result = store.pushManifest(new Reference.Tag(tag), manifest.bytes(), manifest.mediaType());
        }
        return result;
    }

    /** The manifest {@code ref} names and what refers to it, recursively, optionally only referrers of one type. */
    public ReferrerTree discover(ArtifactRef ref, Optional<String> artifactType) {
        return discover(store(ref), ref.requireReference(), artifactType);
    }

    public ReferrerTree discover(ContentStore store, Reference reference, Optional<String> artifactType) {
        return ReferrerWalker.walk(store, require(store, reference).descriptor(), artifactType);
    }

    /** Deletes the manifest {@code ref} names (its digest, so every tag of it goes); returns what was deleted. */
    public Descriptor delete(ArtifactRef ref) {
        return delete(store(ref), ref.requireReference());
    }

    public Descriptor delete(ContentStore store, Reference reference) {
        Descriptor manifest = require(store, reference).plainDescriptor();
        store.deleteManifest(manifest.digest());
        return manifest;
    }

    /** Creates an index of manifests of one repository (platforms from their configs) under {@code target}'s tag. */
    public Descriptor createIndex(ArtifactRef target, List<Reference> sources, Map<String, String> annotations) {
        return IndexBuilder.create(store(target), target.requireReference(), sources, annotations);
    }

    public Descriptor createIndex(ContentStore store, Reference target, List<Reference> sources, Map<String, String> annotations) {
        return IndexBuilder.create(store, target, sources, annotations);
    }

    /** Every repository of {@code registry}. */
    public List<Repository> repositories(String registry) {
        return client(registry).repositories();
    }

    /** Every tag of the repository of {@code ref}, typed from its manifest (fetched in parallel) by {@link #types}. */
    public List<TaggedArtifact> describeTags(ArtifactRef ref, boolean includeReferrersTags) {
        return describer.describe(client(ref.registry()), ref.repository(), includeReferrersTags, types(ref.registry()));
    }

    /** The manifest or a {@code MANIFEST_UNKNOWN} that says where it was looked for. */
    static FetchedManifest require(ContentStore store, Reference reference) {
        return store.manifest(reference).orElseThrow(() -> new RegistryClientException(ErrorCode.MANIFEST_UNKNOWN, 404,
                store.name() + (reference instanceof Reference.Tag ? ":" : "@") + reference + " does not exist"));
    }

    @Override
    public void close() {
        transfers.close();
        lookups.close();
    }
}
