package io.berth.server.quota;

import io.berth.oci.Repository;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.meta.Quota;
import io.berth.server.meta.Quotas;
import java.util.List;
import java.util.OptionalLong;

/**
 * One entry of {@code quotas}: a limit for each repository its globs match ({@link Quota.Scope.Kind#REPOSITORY}), or
 * for each namespace — the first path segment of a repository's name — they match
 * ({@link Quota.Scope.Kind#NAMESPACE}: all the namespace's repositories together).
 *
 * @param index        its place in the list, for messages
 * @param maxBytes     the most bytes of unique blobs; empty: no limit
 * @param maxManifests the most manifests; empty: no limit
 */
public record QuotaRule(int index, Quota.Scope.Kind kind, List<RepositoryGlob> globs, OptionalLong maxBytes,
                        OptionalLong maxManifests) {
    public QuotaRule {
        globs = List.copyOf(globs);
        if (globs.isEmpty()) {
            throw new IllegalArgumentException("a quota needs at least one pattern");
        }
        if (maxBytes.isEmpty() && maxManifests.isEmpty()) {
            throw new IllegalArgumentException("a quota needs bytes or manifests");
        }
    }

    /** {@code repositories} or {@code namespaces}: the key that names what the globs match. */
    public String key() {
        return kind == Quota.Scope.Kind.REPOSITORY ? "repositories" : "namespaces";
    }

    /** The scope of {@code repository} this rule limits, when it covers it. */
    boolean covers(Repository repository) {
        String name = kind == Quota.Scope.Kind.REPOSITORY ? repository.name() : Quotas.namespaceOf(repository);
        return globs.stream().anyMatch(glob -> glob.pattern().matcher(name).matches());
    }

    Quota quotaOf(Repository repository) {
        String name = kind == Quota.Scope.Kind.REPOSITORY ? repository.name() : Quotas.namespaceOf(repository);
        return new Quota(new Quota.Scope(kind, name), "quotas[" + index + "]", maxBytes, maxManifests);
    }
}
