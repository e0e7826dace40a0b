package io.berth.client.artifact;

import io.berth.oci.Descriptor;
import java.util.List;

/**
 * A manifest and what refers to it, recursively: an image, its signature, the signature's timestamp …
 *
 * @param manifest  the descriptor (for the root: the subject itself; below: as the referrers listing reported it)
 * @param referrers the manifests whose {@code subject} is {@code manifest}
 */
public record ReferrerTree(Descriptor manifest, List<ReferrerTree> referrers) {
    public ReferrerTree {
        referrers = List.copyOf(referrers);
    }

    /** Every referrer below the root, depth first. */
    public List<Descriptor> all() {
        List<Descriptor> result = new java.util.ArrayList<>();
        for (ReferrerTree child : referrers) {
            result.add(child.manifest);
            result.addAll(child.all());
        }
        return result;
    }
}
