package io.berth.client;

import io.berth.oci.MediaTypes;

/** The {@code Accept} header for manifest requests: every manifest media type the model knows. */
final class ManifestAccept {
    static final String VALUE = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private ManifestAccept() {
    }
}
