package io.berth.oci.type;

import io.berth.oci.Descriptor;
import io.berth.oci.Manifest;
import io.berth.oci.MediaTypes;
import java.util.List;
import java.util.Set;

/** The platforms of an index, read from its children's descriptors. */
final class Platforms {
    static final Set<String> IMAGE_MANIFESTS = Set.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
    /** BuildKit marks the attestation manifest it adds to an image index with this descriptor annotation. */
    static final String REFERENCE_TYPE = "vnd.docker.reference.type";
    static final String ATTESTATION_MANIFEST = "attestation-manifest";

    private Platforms() {
    }

    /**
     * A child entry that carries attestations rather than a runnable platform: BuildKit's
     * {@code vnd.docker.reference.type: attestation-manifest}, or the {@code unknown/unknown} platform it uses.
     */
    static boolean isAttestation(Descriptor child) {
        return ATTESTATION_MANIFEST.equals(child.annotations().get(REFERENCE_TYPE))
                || child.platform().filter(p -> p.os().equals("unknown") && p.architecture().equals("unknown")).isPresent();
    }

    /** {@code os/arch[/variant]} of each non-attestation child, in index order, without duplicates. */
    static List<String> of(Manifest manifest) {
        return manifest.manifests().stream()
                .filter(c -> !isAttestation(c))
                .flatMap(c -> c.platform().stream())
                .map(Descriptor.Platform::toString)
                .distinct()
                .toList();
    }
}
