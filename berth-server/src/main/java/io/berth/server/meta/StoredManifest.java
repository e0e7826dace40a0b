package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest as the registry keeps it: the exact bytes received plus the few parsed fields that queries need.
 *
 * @param artifactType   the effective artifact type ({@code artifactType}, else {@code config.mediaType}); what the
 *                       referrers API reports
 * @param subject        the manifest this one refers to, when it is a referrer
 * @param annotations    the manifest's own annotations, copied into referrers responses
 * @param classification what the type catalog made of it when it was stored
 */
public record StoredManifest(Repository repository, Digest digest, String mediaType, byte[] content,
                             Optional<String> artifactType, Optional<Digest> subject,
                             Map<String, String> annotations, Instant pushedAt, Classification classification) {
    public StoredManifest {
        annotations = Map.copyOf(annotations);
    }

    /** A manifest not (yet) classified: type {@code unknown}, no platforms, its own bytes as its size. */
    public StoredManifest(Repository repository, Digest digest, String mediaType, byte[] content,
                          Optional<String> artifactType, Optional<Digest> subject,
                          Map<String, String> annotations, Instant pushedAt) {
        this(repository, digest, mediaType, content, artifactType, subject, annotations, pushedAt,
                new Classification("unknown", List.of(), content.length));
    }

    public long size() {
        return content.length;
    }

    /**
     * The artifact type detected from the manifest.
     *
     * @param typeId      the catalog type id
     * @param platforms   an index's platforms ({@code os/arch[/variant]}), else empty
     * @param contentSize the manifest's bytes plus the sizes of the blobs it lists; the stored total of an index also
     *                    adds its children's totals
     */
    public record Classification(String typeId, List<String> platforms, long contentSize) {
        public Classification {
            platforms = List.copyOf(platforms);
        }

        String platformsColumn() {
            return String.join(",", platforms);
        }

        static List<String> platformsOf(String column) {
            return column == null || column.isEmpty() ? List.of() : List.of(column.split(","));
        }
    }
}
