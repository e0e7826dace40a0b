package io.berth.server.meta;

import io.berth.oci.Reference;
import io.berth.oci.Repository;
import java.util.Optional;
import java.util.Set;

/**
 * Which tags may neither move to another digest nor be deleted once they exist. The manifest index asks inside its
 * write transactions, so that every path that moves or deletes tags — pushes, deletes, retention — obeys it.
 */
@FunctionalInterface
public interface ImmutableTags {
    /** No tag is immutable. */
    ImmutableTags NONE = (repository, tag, typeIds) -> Optional.empty();

    /**
     * The rule that makes {@code tag} of {@code repository} immutable, described for a message
     * ({@code immutability.rules[0]: repositories team/**, tags ^v.*}); empty when the tag may change.
     *
     * @param typeIds the catalog types of the manifests involved (the one pushed and the one tagged now): a rule
     *                limited to types applies when any of them is one of its types
     */
    Optional<String> rule(Repository repository, Reference.Tag tag, Set<String> typeIds);
}
