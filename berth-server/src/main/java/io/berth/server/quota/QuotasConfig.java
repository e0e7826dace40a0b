package io.berth.server.quota;

import io.berth.oci.Repository;
import io.berth.server.meta.Quota;
import io.berth.server.meta.Quotas;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code quotas}: per repository and per namespace, the most bytes of unique blobs and the most manifests. For
 * each repository the first {@code repositories} entry that matches it applies to it, and the first
 * {@code namespaces} entry that matches its namespace applies to the namespace; a push must fit both. How content is
 * counted and when it is checked: {@code io.berth.server.meta.QuotaCheck} and docs/storage.md.
 *
 * <pre>
 * quotas:
 *   - repositories: "team/big"    # each matching repository on its own
 *     bytes: 100GiB
 *   - repositories: "**"
 *     bytes: 10GiB                # 500MiB, 10GiB, 1TB, or bytes
 *     manifests: 1000
 *   - namespaces: "*"             # each namespace (first path segment) on its own, its repositories together
 *     bytes: 1TiB
 * </pre>
 */
public record QuotasConfig(List<QuotaRule> rules) implements Quotas {
    public static final QuotasConfig NONE = new QuotasConfig(List.of());

    public QuotasConfig {
        rules = List.copyOf(rules);
    }

    @Override
    public List<Quota> applying(Repository repository) {
        List<Quota> quotas = new ArrayList<>(2);
        for (Quota.Scope.Kind kind : Quota.Scope.Kind.values()) {
            rules.stream().filter(rule -> rule.kind() == kind && rule.covers(repository)).findFirst()
                    .ifPresent(rule -> quotas.add(rule.quotaOf(repository)));
        }
        return quotas;
    }
}
