package io.berth.server.meta;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry listing's queries: repositories with artifact counts per type, and artifacts — one per tag and one
 * per untagged top-level manifest (not an index child, not a referrer). Everything comes from indexed columns
 * written at push time; nothing is parsed per request.
 */
public interface ArtifactListing {

    /** A repository as the listing shows it. */
    record RepositorySummary(Repository repository, Map<String, Long> artifactsByType, Instant lastPush, long totalSize) {
    }

    /** One artifact: a tag, or an untagged top-level manifest ({@code tag} empty). */
    record ArtifactRow(Repository repository, Optional<String> tag, Digest digest, String mediaType,
                       Optional<String> artifactType, String typeId, List<String> platforms, long size,
                       Instant pushedAt, Map<String, String> annotations) {

        /** The paging key of this row: {@code repository|t:tag} or {@code repository|u:digest}. */
        public String cursor() {
            return repository.name() + "|" + tag.map(t -> "t:" + t).orElse("u:" + digest);
        }
    }

    /** Filters of a listing: a name substring and a type id, each optional. */
    record Filter(Optional<String> query, Optional<String> typeId) {
        public static final Filter NONE = new Filter(Optional.empty(), Optional.empty());
    }

    /** Repositories with at least one artifact (of the filtered type), by name, after {@code last}. */
    List<RepositorySummary> repositories(Filter filter, Optional<String> last, int limit);

    /**
     * Artifacts of {@code repository} (or of every repository, by name), tags first by name then untagged manifests
     * by digest, after the cursor {@code last} (see {@link ArtifactRow#cursor()}); the query matches tag names, and
     * repository names when no repository is given.
     */
    List<ArtifactRow> artifacts(Optional<Repository> repository, Filter filter, Optional<String> last, int limit);

    /** For each repository and each of its {@code subjects}: how many referrers of each type id point at it. */
    Map<Repository, Map<Digest, Map<String, Long>>> referrerCounts(Map<Repository, List<Digest>> subjects);

    /** The referrers of {@code subject} with their types, by digest (at most {@code limit}). */
    List<ArtifactRow> referrers(Repository repository, Digest subject, int limit);

    /** The tags pointing at the manifest, by name. */
    List<String> tagsOf(Repository repository, Digest digest);

    /** The stored row of a manifest (its tag empty), when the repository has it. */
    Optional<ArtifactRow> manifest(Repository repository, Digest digest);
}
