package io.berth.server.retention;

import io.berth.oci.Digest;
import io.berth.oci.Repository;
import java.util.Optional;
import java.util.Set;

/**
 * One thing a policy deletes, and why: a tag ({@code tag} present; the manifest stays unless a deletion of its own
 * follows) or a manifest, with the tags that go with it when it follows its subject.
 *
 * @param typeId     the catalog type of the manifest (the tag's target)
 * @param policy     the policy that selected it, or whose selection it follows
 * @param rule       the rule: {@code delete[i]}, {@code not kept} (a policy without delete rules), or how it follows:
 *                   {@code left untagged}, {@code index child}, {@code referrer}, {@code signature tag}
 * @param reason     the facts, in words
 * @param tagsWithIt tags that point at the manifest and go with it (a referrer that follows its subject)
 */
public record Deletion(Repository repository, Optional<String> tag, Digest digest, String typeId, String policy,
                       String rule, String reason, Set<String> tagsWithIt) {
    public Deletion {
        tagsWithIt = Set.copyOf(tagsWithIt);
    }

    public boolean isTag() {
        return tag.isPresent();
    }
}
