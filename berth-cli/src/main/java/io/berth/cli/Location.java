package io.berth.cli;

import io.berth.client.ContentStore;
import io.berth.client.artifact.ArtifactRef;
import io.berth.client.artifact.Artifacts;
import io.berth.client.layout.OciLayout;
import io.berth.oci.Reference;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a command reads or writes: a registry reference {@code host/repository[:tag|@digest]}, or an OCI layout
 * {@code oci:PATH[:tag|@digest]} as skopeo writes it.
 */
record Location(ContentStore store, Optional<Reference> reference, Optional<ArtifactRef> ref, String text) {

    static Location parse(String text, Artifacts artifacts) {
        if (text.startsWith("oci:")) {
            String rest = text.substring(4);
            Optional<Reference> reference = Optional.empty();
            int at = rest.lastIndexOf('@');
            int colon = rest.lastIndexOf(':');
            if (at > 0) {
                reference = Optional.of(Reference.parse(rest.substring(at + 1)));
                rest = rest.substring(0, at);
            } else if (colon > 0 && rest.indexOf('/', colon) < 0) {
                reference = Optional.of(new Reference.Tag(rest.substring(colon + 1)));
                rest = rest.substring(0, colon);
            }
            return new Location(OciLayout.open(Path.of(rest)), reference, Optional.empty(), text);
        }
        ArtifactRef ref = ArtifactRef.parse(text);
        return new Location(artifacts.store(ref), ref.reference(), Optional.of(ref), text);
    }

    Reference requireReference() {
        return reference.orElseThrow(() -> io.berth.oci.ErrorCode.TAG_INVALID.exception(
                "\"" + text + "\" names no tag or digest; add :TAG or @sha256:…"));
    }

    /** {@code text} with {@code other} as its tag or digest. */
    String with(Reference other) {
        String base = ref.map(r -> r.registry() + "/" + r.repository()).orElseGet(() -> {
            String t = text;
            int cut = Math.max(t.lastIndexOf('@'), t.lastIndexOf(':'));
            return reference.isPresent() && cut > 3 ? t.substring(0, cut) : t;
        });
        return base + (other instanceof Reference.Tag ? ":" : "@") + other;
    }
}
