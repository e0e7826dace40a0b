package io.berth.client.artifact;

import io.berth.client.ContentStore;
import io.berth.oci.Descriptor;
import io.berth.oci.Digest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds the {@link ReferrerTree} below a manifest, asking for the referrers of each referrer in turn. */
final class ReferrerWalker {
    private static final int MAX_DEPTH = 8;

    private ReferrerWalker() {
    }

    static ReferrerTree walk(ContentStore store, Descriptor root, Optional<String> artifactType) {
        return walk(store, root, artifactType, new HashSet<>(), 0);
    }

    private static ReferrerTree walk(ContentStore store, Descriptor node, Optional<String> artifactType, Set<Digest> seen,
                                     int depth) {
        seen.add(node.digest());
        List<ReferrerTree> children = new ArrayList<>();
        if (depth < MAX_DEPTH) {
            for (Descriptor referrer : store.referrers(node.digest(), depth == 0 ? artifactType : Optional.empty())) {
                if (!seen.contains(referrer.digest())) {
                    children.add(walk(store, referrer, artifactType, seen, depth + 1));
                }
            }
        }
        return new ReferrerTree(node, children);
    }
}
