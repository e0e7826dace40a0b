package io.berth.server.retention;

import io.berth.server.meta.RepositorySnapshot.ManifestRow;
import io.berth.server.meta.RepositorySnapshot.TagRow;
import java.time.Duration;
import java.time.Instant;

/** Time as the rules compare it and as reasons state it. */
final class Ages {
    private Ages() {
    }

    /** Whether {@code at} lies more than {@code age} before {@code now}. */
    static boolean olderThan(Instant at, Duration age, Instant now) {
        return at.isBefore(now.minus(age));
    }

    /**
     * When the tag was last used: pushed, or its manifest pulled. A manifest never pulled counts as used when it was
     * pushed, so that "not pulled for 30 days" never deletes what was pushed yesterday.
     */
    static Instant lastUse(TagRow tag, ManifestRow manifest) {
        Instant last = tag.pushedAt().isAfter(manifest.pushedAt()) ? tag.pushedAt() : manifest.pushedAt();
        return manifest.pulledAt().filter(last::isBefore).orElse(last);
    }

    static String pullFact(ManifestRow manifest, Instant now) {
        return manifest.pulledAt().map(p -> "last pulled " + ago(p, now) + " ago").orElse("never pulled");
    }

    static String ago(Instant at, Instant now) {
        return format(Duration.between(at, now));
    }

    /** {@code 3d}, {@code 5h}, {@code 12m}, {@code 40s}: the largest whole unit. */
    static String format(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 86400) {
            return seconds / 86400 + "d";
        }
        if (seconds >= 3600) {
            return seconds / 3600 + "h";
        }
        if (seconds >= 60) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
