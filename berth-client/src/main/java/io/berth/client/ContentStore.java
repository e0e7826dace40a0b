package io.berth.client;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Reference;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A place that holds manifests and blobs: one repository of a registry ({@link RegistryClient#store}) or an OCI
 * image layout ({@link io.berth.client.layout.OciLayout}). {@link io.berth.client.artifact.Artifacts} pushes, pulls
 * and copies between any two of them.
 */
public interface ContentStore {
    /** How to name this store in messages: {@code host/repository} or {@code oci:path}. */
    String name();

    Optional<FetchedManifest> manifest(Reference reference);

    /** Stores a manifest under a tag, or by its digest; returns its descriptor. */
    Descriptor pushManifest(Reference reference, byte[] bytes, String mediaType);

    boolean hasBlob(Digest digest);

    /**
     * The blob as a stream that fails on a wrong size or digest.
     *
     * @throws RegistryClientException {@code BLOB_UNKNOWN} when it is not there
     */
    InputStream openBlob(Descriptor blob);

    /** Stores a blob whose descriptor is known, unless it is there already; true when it was stored. */
    boolean pushBlob(Descriptor blob, BlobSource source, LongConsumer progress);

    /** Stores a stream of unknown digest (hashed while it streams) and returns its descriptor. */
    Descriptor pushBlob(String mediaType, InputStream content, LongConsumer progress);

    /** Makes a blob of {@code source} available here without transferring it; false when that is not possible. */
    default boolean mountBlob(ContentStore source, Digest digest) {
        return false;
    }

    /** The manifests that refer to {@code subject}, optionally of one artifact type. */
    List<Descriptor> referrers(Digest subject, Optional<String> artifactType);

    /** Every tag. */
    List<String> tags();

    /** Deletes a manifest and drops it from its subject's referrers; false when it was not there. */
    boolean deleteManifest(Digest digest);
}
