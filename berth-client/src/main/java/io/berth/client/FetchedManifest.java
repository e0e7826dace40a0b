package io.berth.client;

import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import io.berth.oci.Manifest;
import io.berth.oci.ManifestParser;
import java.util.Optional;

/**
 * A manifest or index as the registry sent it: the exact bytes, their media type and their verified digest.
 */
public record FetchedManifest(byte[] bytes, String mediaType, Digest digest) {
    /** The parsed view; {@link io.berth.oci.RegistryException} {@code MANIFEST_INVALID} for bytes that are not a manifest. */
    public Manifest parsed() {
        return ManifestParser.parse(bytes, mediaType);
    }

    /** The descriptor that points at these bytes, with the artifact type a referrers listing would report. */
    public Descriptor descriptor() {
        Manifest manifest = parsed();
        return new Descriptor(mediaType, digest, bytes.length, manifest.effectiveArtifactType().filter(t -> !t.isEmpty()),
                manifest.annotations(), Optional.empty(), java.util.List.of());
    }

    /** The bare descriptor (media type, digest, size). */
    public Descriptor plainDescriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }
}
