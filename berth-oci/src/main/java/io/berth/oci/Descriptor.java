package io.berth.oci;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An OCI content descriptor: what a manifest says about a blob or a child manifest. Optional fields are
 * {@link Optional} or empty collections; the manifest's own bytes stay the truth, this is a parsed view.
 */
public record Descriptor(String mediaType, Digest digest, long size, Optional<String> artifactType,
                         Map<String, String> annotations, Optional<Platform> platform, List<String> urls) {

    public Descriptor {
        annotations = Map.copyOf(annotations);
        urls = List.copyOf(urls);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Optional.empty(), Map.of(), Optional.empty(), List.of());
    }

    /** The platform an index entry targets: {@code os/architecture[/variant]}. */
    public record Platform(String os, String architecture, Optional<String> variant, Optional<String> osVersion) {
        @Override
        public String toString() {
            return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
        }
    }
}
