package io.berth.client.artifact;

import io.berth.oci.Descriptor;
import io.berth.oci.ErrorCode;
import io.berth.oci.Manifest;
import java.util.List;
import java.util.Optional;

/** Picks the child of an index for a platform {@code os/arch[/variant]}. */
final class Platforms {
    private Platforms() {
    }

    /** The child for {@code platform}; without one, the only child, else {@link IllegalArgumentException} naming the choices. */
    static Descriptor choose(Manifest index, Optional<String> platform, String where) {
        List<Descriptor> children = index.manifests();
        if (platform.isEmpty()) {
            if (children.size() == 1) {
                return children.get(0);
            }
            throw new IllegalArgumentException(where + " is an index of " + children.size()
                    + " manifests; choose one with --platform " + String.join(" | ", names(children)));
        }
        return children.stream().filter(c -> c.platform().map(p -> matches(p, platform.get())).orElse(false)).findFirst()
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception(where + " has no manifest for " + platform.get()
                        + "; it has " + String.join(", ", names(children))));
    }

    private static boolean matches(Descriptor.Platform p, String wanted) {
        String full = p.toString();
        return full.equals(wanted) || (p.variant().isPresent() && (p.os() + "/" + p.architecture()).equals(wanted));
    }

    private static List<String> names(List<Descriptor> children) {
        return children.stream().map(c -> c.platform().map(Object::toString).orElse(c.digest().toString())).toList();
    }
}
