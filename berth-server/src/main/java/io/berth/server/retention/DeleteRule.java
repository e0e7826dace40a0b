package io.berth.server.retention;

import io.berth.server.meta.RepositorySnapshot.ManifestRow;
import io.berth.server.meta.RepositorySnapshot.TagRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A rule that selects candidates for deletion; every selector it has must hold. With {@code untagged} it selects
 * manifests that no tag points at (and that follow nothing, see {@link Planner}); else it selects tags.
 *
 * @param id           where the rule is in its policy, {@code delete[0]}
 * @param tags         a regular expression found in the tag name
 * @param types        the catalog type ids of the manifest the tag points at; empty: any
 * @param olderThan    the tag was pushed (or last moved) longer ago than this
 * @param notPulledFor the manifest was not pulled for this long (never pulled: counts from its push)
 * @param untagged     selects untagged manifests pushed longer ago than this
 */
public record DeleteRule(String id, Optional<Pattern> tags, Set<String> types, Optional<Duration> olderThan,
                         Optional<Duration> notPulledFor, Optional<Duration> untagged) {
    public DeleteRule {
        types = Set.copyOf(types);
        if (untagged.isPresent() && tags.isPresent()) {
            throw new IllegalArgumentException("untagged selects manifests without tags, so tags cannot be given too");
        }
        if (tags.isEmpty() && types.isEmpty() && olderThan.isEmpty() && notPulledFor.isEmpty() && untagged.isEmpty()) {
            throw new IllegalArgumentException("selects nothing: give tags, types, olderThan, notPulledFor or untagged"
                    + " (a policy without delete rules deletes every tag its keep rules do not keep)");
        }
    }

    /** Why this rule selects the tag, or empty. */
    Optional<String> selectsTag(TagRow tag, ManifestRow manifest, Instant now) {
        if (untagged.isPresent() || !types.isEmpty() && !types.contains(manifest.typeId())
                || tags.isPresent() && !tags.get().matcher(tag.name()).find()) {
            return Optional.empty();
        }
        List<String> facts = new ArrayList<>();
        tags.ifPresent(p -> facts.add("tag matches " + p.pattern()));
        if (!types.isEmpty()) {
            facts.add("type " + manifest.typeId());
        }
        if (olderThan.isPresent()) {
            if (!Ages.olderThan(tag.pushedAt(), olderThan.get(), now)) {
                return Optional.empty();
            }
            facts.add("pushed " + Ages.ago(tag.pushedAt(), now) + " ago (olderThan " + Ages.format(olderThan.get()) + ")");
        }
        if (notPulledFor.isPresent()) {
            Instant last = Ages.lastUse(tag, manifest);
            if (!Ages.olderThan(last, notPulledFor.get(), now)) {
                return Optional.empty();
            }
            facts.add(Ages.pullFact(manifest, now) + " (notPulledFor " + Ages.format(notPulledFor.get()) + ")");
        }
        return Optional.of(String.join(", ", facts));
    }

    /** Why this rule selects the untagged manifest, or empty. */
    Optional<String> selectsUntagged(ManifestRow manifest, Instant now) {
        if (untagged.isEmpty() || !types.isEmpty() && !types.contains(manifest.typeId())
                || !Ages.olderThan(manifest.pushedAt(), untagged.get(), now)) {
            return Optional.empty();
        }
        List<String> facts = new ArrayList<>(List.of("untagged, pushed " + Ages.ago(manifest.pushedAt(), now)
                + " ago (untagged " + Ages.format(untagged.get()) + ")"));
        if (olderThan.isPresent() && !Ages.olderThan(manifest.pushedAt(), olderThan.get(), now)) {
            return Optional.empty();
        }
        if (notPulledFor.isPresent()) {
            if (!Ages.olderThan(manifest.pulledAt().filter(p -> p.isAfter(manifest.pushedAt()))
                    .orElse(manifest.pushedAt()), notPulledFor.get(), now)) {
                return Optional.empty();
            }
            facts.add(Ages.pullFact(manifest, now) + " (notPulledFor " + Ages.format(notPulledFor.get()) + ")");
        }
        return Optional.of(String.join(", ", facts));
    }
}
