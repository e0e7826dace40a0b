package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest as the registry keeps it: the exact bytes received plus the few parsed fields that queries need.
 *
 * @param artifactType the effective artifact type ({@code artifactType}, else {@code config.mediaType}); what the
 *                     referrers API reports
 * @param subject      the manifest this one refers to, when it is a referrer
 * @param annotations  the manifest's own annotations, copied into referrers responses
 */
public record StoredManifest(Repository repository, Digest digest, String mediaType, byte[] content,
                             Optional<String> artifactType, Optional<Digest> subject,
                             Map<String, String> annotations, Instant pushedAt) {
    public StoredManifest {
        annotations = Map.copyOf(annotations);
    }

    public long size() {
        return content.length;
    }
}
