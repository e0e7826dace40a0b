package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What retention decides on for one repository: its tags, its manifests with their type and times, and which
 * manifests an index references. Read in one go from committed data; a push that lands after the read is not in it.
 *
 * @param children each index's children (digests of manifests of the same repository)
 */
public record RepositorySnapshot(Repository repository, List<TagRow> tags, Map<Digest, ManifestRow> manifests,
                                 Map<Digest, Set<Digest>> children) {
    public RepositorySnapshot {
        tags = List.copyOf(tags);
        manifests = Map.copyOf(manifests);
        children = Map.copyOf(children);
    }

    /** A tag and when it was last pushed (moved to its manifest). */
    public record TagRow(String name, Digest digest, Instant pushedAt) {
    }

    /**
     * A manifest.
     *
     * @param pulledAt when it was last pulled, as far as it was recorded (see {@code manifests.pulled_at})
     * @param subject  the manifest it refers to, when it is a referrer
     */
    public record ManifestRow(Digest digest, String typeId, Instant pushedAt, Optional<Instant> pulledAt,
                              Optional<Digest> subject) {
    }
}
