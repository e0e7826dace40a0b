package io.berth.oci;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed view of a manifest or index, beside its exact bytes. {@link #mediaType()} is the effective media type
 * (the body's {@code mediaType}, else the request's {@code Content-Type}).
 *
 * @param config    the config descriptor of an image manifest; empty for an index
 * @param layers    the layers of an image manifest; empty for an index
 * @param manifests the children of an index; empty for an image manifest
 */
public record Manifest(String mediaType, Optional<String> artifactType, Optional<Descriptor> config,
                       List<Descriptor> layers, List<Descriptor> manifests, Optional<Descriptor> subject,
                       Map<String, String> annotations) {

    public Manifest {
        layers = List.copyOf(layers);
        manifests = List.copyOf(manifests);
        annotations = Map.copyOf(annotations);
    }

    public boolean isIndex() {
        return MediaTypes.INDEXES.contains(mediaType);
    }

    /**
     * The artifact type a referrers response reports for this manifest: {@code artifactType}, else the config's
     * media type (image-spec: "the value of config.mediaType MUST be used" when artifactType is absent).
     */
    public Optional<String> effectiveArtifactType() {
        return artifactType.or(() -> config.map(Descriptor::mediaType));
    }

    /** Every blob this manifest needs (config and layers; none for an index). */
    public List<Descriptor> blobs() {
        if (config.isEmpty()) {
            return layers;
        }
        var all = new java.util.ArrayList<Descriptor>(layers.size() + 1);
        all.add(config.get());
        all.addAll(layers);
        return all;
    }
}
