package io.berth.server.retention;

import io.berth.oci.Repository;
import io.berth.server.event.RepositoryGlob;
import java.util.List;
import java.util.Set;

/**
 * One {@code retention.policies[]} entry: the repositories and artifact types it governs, the rules that select what
 * goes and the rules that keep. Without delete rules, every tag in its scope that no keep rule keeps goes (the way
 * Harbor's tag retention reads "retain the 10 latest").
 *
 * @param name         how reports name it; {@code policies[i]} when the configuration gives none
 * @param repositories repository globs; a policy applies to a repository one of them matches
 * @param types        catalog type ids the policy governs (of the manifest a tag points at); empty: every type
 */
public record RetentionPolicy(String name, List<RepositoryGlob> repositories, Set<String> types,
                              List<DeleteRule> delete, List<KeepRule> keep) {
    public RetentionPolicy {
        repositories = List.copyOf(repositories);
        types = Set.copyOf(types);
        delete = List.copyOf(delete);
        keep = List.copyOf(keep);
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("repositories is required: the repository globs the policy applies to,"
                    + " e.g. [\"**\"] for all");
        }
        if (delete.isEmpty() && keep.isEmpty()) {
            throw new IllegalArgumentException("has no rules: give keep rules (everything else in its scope goes),"
                    + " delete rules, or both");
        }
    }

    public boolean covers(Repository repository) {
        return repositories.stream().anyMatch(glob -> glob.matches(repository));
    }

    boolean coversType(String typeId) {
        return types.isEmpty() || types.contains(typeId);
    }

    /** Every type id the policy and its rules name. */
    Set<String> typeIds() {
        java.util.Set<String> ids = new java.util.TreeSet<>(types);
        delete.forEach(rule -> ids.addAll(rule.types()));
        keep.forEach(rule -> ids.addAll(rule.types()));
        return ids;
    }
}
