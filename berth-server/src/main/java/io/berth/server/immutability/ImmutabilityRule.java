package io.berth.server.immutability;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import io.berth.server.event.RepositoryGlob;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code immutability.rules}: the tags it makes immutable.
 *
 * @param index        its place in the list, for messages
 * @param repositories the repositories it covers (any of the globs)
 * @param tags         the tags it covers: those in which the expression is found ({@code ^v} anchors); empty: all
 * @param types        catalog type ids: it covers a tag when the manifest pushed to it or the one it points at is of
 *                     one of them; empty: every type
 */
public record ImmutabilityRule(int index, List<RepositoryGlob> repositories, Optional<Pattern> tags,
                               Set<String> types) {
    public ImmutabilityRule {
        repositories = List.copyOf(repositories);
        types = Set.copyOf(types);
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one repository pattern");
        }
    }

    boolean covers(Repository repository, Reference.Tag tag, Set<String> typeIds) {
        return repositories.stream().anyMatch(glob -> glob.matches(repository))
                && tags.map(pattern -> pattern.matcher(tag.name()).find()).orElse(true)
                && (types.isEmpty() || typeIds.stream().anyMatch(types::contains));
    }

    /** {@code immutability.rules[0]: repositories team/**, tags ^v.*, types oci-image}. */
    String describe() {
        StringBuilder text = new StringBuilder("immutability.rules[").append(index).append("]: repositories ")
                .append(String.join(" ", repositories.stream().map(RepositoryGlob::glob).toList()));
        tags.ifPresent(pattern -> text.append(", tags ").append(pattern.pattern()));
        if (!types.isEmpty()) {
            text.append(", types ").append(String.join(" ", types.stream().sorted().toList()));
        }
        return text.toString();
    }
}
