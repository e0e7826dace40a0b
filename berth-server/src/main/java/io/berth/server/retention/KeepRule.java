package io.berth.server.retention;

import io.berth.server.meta.RepositorySnapshot.ManifestRow;
import io.berth.server.meta.RepositorySnapshot.TagRow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A rule that keeps tags: a tag it keeps is never deleted, whatever any delete rule of any policy selects. Every
 * selector it has must hold; {@code latest} then keeps only the N most recently pushed of the tags the others select,
 * per repository.
 *
 * @param id           where the rule is in its policy, {@code keep[0]}
 * @param tags         a regular expression found in the tag name
 * @param types        the catalog type ids of the manifest the tag points at; empty: any
 * @param latest       keep the N most recently pushed tags (by when the tag was last pushed)
 * @param pushedWithin keep tags pushed within this
 * @param pulledWithin keep tags whose manifest was pulled within this (never pulled: counts from its push)
 */
public record KeepRule(String id, Optional<Pattern> tags, Set<String> types, OptionalInt latest,
                       Optional<Duration> pushedWithin, Optional<Duration> pulledWithin) {
    public KeepRule {
        types = Set.copyOf(types);
        if (latest.isPresent() && latest.getAsInt() < 0) {
            throw new IllegalArgumentException("latest must be 0 or more, was " + latest.getAsInt());
        }
        if (tags.isEmpty() && types.isEmpty() && latest.isEmpty() && pushedWithin.isEmpty() && pulledWithin.isEmpty()) {
            throw new IllegalArgumentException("keeps nothing: give tags, types, latest, pushedWithin or pulledWithin");
        }
    }

    /** Whether the tag passes every selector but {@code latest}, which {@link Planner} applies over them. */
    boolean admits(TagRow tag, ManifestRow manifest, Instant now) {
        return (types.isEmpty() || types.contains(manifest.typeId()))
                && (tags.isEmpty() || tags.get().matcher(tag.name()).find())
                && pushedWithin.map(d -> !Ages.olderThan(tag.pushedAt(), d, now)).orElse(true)
                && pulledWithin.map(d -> !Ages.olderThan(Ages.lastUse(tag, manifest), d, now)).orElse(true);
    }

    /**
     * Whether the rule keeps an untagged manifest: only a rule of times and types does (tags and a count are about
     * tags).
     */
    boolean keepsUntagged(ManifestRow manifest, Instant now) {
        if (tags.isPresent() || latest.isPresent()) {
            return false;
        }
        Instant lastUse = manifest.pulledAt().filter(p -> p.isAfter(manifest.pushedAt())).orElse(manifest.pushedAt());
        return (types.isEmpty() || types.contains(manifest.typeId()))
                && pushedWithin.map(d -> !Ages.olderThan(manifest.pushedAt(), d, now)).orElse(true)
                && pulledWithin.map(d -> !Ages.olderThan(lastUse, d, now)).orElse(true);
    }
}
