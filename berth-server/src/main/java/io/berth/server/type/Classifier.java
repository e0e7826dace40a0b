package io.berth.server.type;

import io.berth.oci.Descriptor;
import io.berth.oci.Manifest;
import io.berth.oci.type.Detected;
import io.berth.oci.type.TypeCatalog;
import io.berth.server.meta.StoredManifest.Classification;

/** What a manifest is, from the manifest alone: its catalog type, its platforms and its size. */
public final class Classifier {
    private Classifier() {
    }

    /**
     * @param manifest  the parsed manifest
     * @param byteCount the size of the manifest's own bytes
     */
    public static Classification classify(TypeCatalog catalog, Manifest manifest, long byteCount) {
        Detected detected = catalog.detect(manifest);
        long blobs = manifest.blobs().stream().mapToLong(Descriptor::size).sum();
        return new Classification(detected.type().id(), detected.platforms(), byteCount + blobs);
    }
}
