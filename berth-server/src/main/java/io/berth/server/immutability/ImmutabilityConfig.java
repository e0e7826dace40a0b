package io.berth.server.immutability;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.meta.ImmutableTags;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code immutability.rules}: tags that, once they exist, may neither move to another digest nor be deleted (nor
 * the manifest they point at). Pushing the digest a tag already points at again is allowed. Enforced by the manifest
 * index in its write transactions, so pushes, deletes and retention alike obey it; the first rule that covers a tag
 * is the one named in the refusal.
 *
 * <pre>
 * immutability:
 *   rules:
 *     - repositories: ["team/**"]   # globs, or one glob; required
 *       tags: "^v\\d+\\."           # a regular expression found in the tag; none = every tag
 *       types: [oci-image, helm-chart]  # catalog type ids; none = every type
 * </pre>
 */
public record ImmutabilityConfig(List<ImmutabilityRule> rules) implements ImmutableTags {
    public static final ImmutabilityConfig NONE = new ImmutabilityConfig(List.of());

    public ImmutabilityConfig {
        rules = List.copyOf(rules);
    }

    @Override
    public Optional<String> rule(Repository repository, Reference.Tag tag, Set<String> typeIds) {
        return rules.stream().filter(rule -> rule.covers(repository, tag, typeIds)).findFirst()
                .map(ImmutabilityRule::describe);
    }
}
