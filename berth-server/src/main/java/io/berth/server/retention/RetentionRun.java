package io.berth.server.retention;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one run of the policies did, or would do (a dry run).
 *
 * @param deletions            what was deleted (a dry run: what would be), in the order it was done
 * @param skipped              planned deletions left undone because the repository changed since the plan was made
 *                             (a tag moved, a push tagged or referenced the manifest)
 * @param repositoriesExamined repositories that a policy applies to
 */
public record RetentionRun(String id, Instant startedAt, Instant finishedAt, boolean dryRun, int policies,
                           long repositoriesExamined, List<Deletion> deletions, List<Deletion> skipped,
                           Optional<String> error) {
    public RetentionRun {
        deletions = List.copyOf(deletions);
        skipped = List.copyOf(skipped);
    }

    public long tagsDeleted() {
        return deletions.stream().filter(Deletion::isTag).count();
    }

    public long manifestsDeleted() {
        return deletions.stream().filter(d -> !d.isTag()).count();
    }
}
