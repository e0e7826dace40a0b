package io.berth.server.scan;

import io.berth.oci.MediaTypes;
import io.berth.oci.type.ArtifactType;
import io.berth.oci.type.Match;
import io.berth.oci.type.Rule;
import io.berth.oci.type.ScannerCategory;
import io.berth.oci.type.TypeCatalog;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Catalog types in the terms of the scanner adapter API, whose capabilities name the MIME types an adapter
 * {@code consumes}. The image types map to their manifest media types — {@code oci-image} to the OCI image manifest,
 * {@code docker-image} to Docker's schema 2 manifest, {@code oci-image-index} and {@code docker-manifest-list} to the
 * index types; any other type to the media types its detection rules name ({@code artifactType}, config and layer
 * media types), e.g. {@code helm-chart} to {@code application/vnd.cncf.helm.config.v1+json}.
 */
final class ScanTypes {
    private static final Map<String, String> IMAGE_MANIFESTS = Map.of(
            "oci-image", MediaTypes.OCI_MANIFEST,
            "docker-image", MediaTypes.DOCKER_MANIFEST,
            "oci-image-index", MediaTypes.OCI_INDEX,
            "docker-manifest-list", MediaTypes.DOCKER_MANIFEST_LIST);

    private ScanTypes() {
    }

    /** The MIME types an adapter must consume to be sent artifacts of {@code type}, most specific first. */
    static Set<String> mimeTypes(ArtifactType type) {
        String manifest = IMAGE_MANIFESTS.get(type.id());
        if (manifest != null) {
            return Set.of(manifest);
        }
        Set<String> mimeTypes = new LinkedHashSet<>();
        for (Rule rule : type.rules()) {
            for (Match match : rule.all()) {
                if (match instanceof Match.ArtifactTypeIs is) {
                    mimeTypes.addAll(is.mediaTypes());
                } else if (match instanceof Match.ConfigMediaTypeIs is) {
                    mimeTypes.addAll(is.mediaTypes());
                } else if (match instanceof Match.LayerMediaTypeIs is) {
                    mimeTypes.addAll(is.mediaTypes());
                }
            }
        }
        return mimeTypes;
    }

    /** The type ids a scanner configured without {@code types} is sent: those of scanner category {@code image}. */
    static List<String> defaultTypes(TypeCatalog catalog) {
        return catalog.types().stream().filter(t -> t.scanner() == ScannerCategory.IMAGE).map(ArtifactType::id).toList();
    }
}
