package io.berth.server.meta;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.List;
import java.util.Optional;

/** Manifests, tags and referrers of each repository: the source of truth for references. */
public interface ManifestIndex {

    Optional<StoredManifest> manifest(Repository repository, Digest digest);

    Optional<StoredManifest> manifestByTag(Repository repository, Reference.Tag tag);

    /**
     * Non-blocking: the manifest when this index holds it in memory (see {@link CachedManifestIndex}), so that it can
     * be served without leaving the event loop; empty means "look it up".
     */
    default Optional<StoredManifest> cached(Repository repository, Reference reference) {
        return Optional.empty();
    }

    /**
     * Stores the manifest and moves {@code tag} (when given) to it, in one transaction. Fails with
     * {@code MANIFEST_BLOB_UNKNOWN} — writing nothing — when one of {@code blobs} is not linked into the repository
     * or one of {@code children} is not a manifest of the repository. Storing the same digest again is allowed
     * (it only updates the tag). {@code context} is who asked, for the {@link Change} this makes.
     */
    void put(StoredManifest manifest, List<Digest> blobs, List<Digest> children, Optional<Reference.Tag> tag,
             RequestContext context);

    default void put(StoredManifest manifest, List<Digest> blobs, List<Digest> children, Optional<Reference.Tag> tag) {
        put(manifest, blobs, children, tag, RequestContext.INTERNAL);
    }

    /** Deletes the manifest, every tag pointing at it and its referrer entry; true when it existed. */
    boolean delete(Repository repository, Digest digest, RequestContext context);

    default boolean delete(Repository repository, Digest digest) {
        return delete(repository, digest, RequestContext.INTERNAL);
    }

    /** Deletes only the tag; true when it existed. */
    boolean deleteTag(Repository repository, Reference.Tag tag, RequestContext context);

    default boolean deleteTag(Repository repository, Reference.Tag tag) {
        return deleteTag(repository, tag, RequestContext.INTERNAL);
    }

    /** Tags in lexical order after {@code last} (exclusive), at most {@code limit}. */
    List<String> tags(Repository repository, Optional<String> last, int limit);

    /** Repositories that hold at least one manifest or blob, in lexical order after {@code last}, at most {@code limit}. */
    List<Repository> repositories(Optional<String> last, int limit);

    boolean exists(Repository repository);

    /**
     * Manifests of the repository whose {@code subject} is {@code subject}, as descriptors (media type, digest, size,
     * artifactType, annotations), ordered by digest, optionally only those of {@code artifactType}, after digest
     * {@code last} (exclusive), at most {@code limit}.
     */
    List<Descriptor> referrers(Repository repository, Digest subject, Optional<String> artifactType,
                               Optional<Digest> last, int limit);
}
