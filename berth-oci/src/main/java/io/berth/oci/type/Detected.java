package io.berth.oci.type;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link TypeCatalog#detect}.
 *
 * @param type       the detected type; {@code unknown} when no rule matched
 * @param matchedBy  the rule that decided, empty for {@code unknown}
 * @param platforms  {@code os/arch[/variant]} of an index's children, without attestation entries; empty for a
 *                   single manifest
 * @param mediaTypes the media types that describe the manifest, in detection order: artifactType, config, the distinct
 *                   layer media types, the manifest's own; what a UI shows next to an unknown type
 */
public record Detected(ArtifactType type, Optional<Rule> matchedBy, List<String> platforms, List<String> mediaTypes) {
    public Detected {
        platforms = List.copyOf(platforms);
        mediaTypes = List.copyOf(mediaTypes);
    }

    public boolean isUnknown() {
        return matchedBy.isEmpty();
    }
}
