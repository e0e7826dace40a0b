package io.berth.client.artifact;

import io.berth.oci.Descriptor;
import io.berth.oci.type.ActionTemplate;
import io.berth.oci.type.Detected;
import java.util.List;

/**
 * A tag with what it points at, typed client-side by a {@link io.berth.oci.type.TypeCatalog} (a Berth server's own,
 * else the built-in one): works on every registry.
 *
 * @param manifest the tagged manifest's descriptor (with artifact type and annotations)
 * @param detected the type, the platforms of an index and the media types that decided
 * @param actions  the type's actions rendered for this tag
 */
public record TaggedArtifact(String tag, Descriptor manifest, Detected detected, List<ActionTemplate.Action> actions) {
    public TaggedArtifact {
        actions = List.copyOf(actions);
    }
}
