package io.berth.server.gc;

import io.berth.server.startup.ConfigException;
import java.time.Duration;

/**
 * Garbage collection of blobs.
 *
 * @param interval    how often a collection runs on its own ({@code gc.interval}, {@code BERTH_GC_INTERVAL}); zero:
 *                    never, only on request
 * @param gracePeriod how long a blob that nothing references is kept after it was last uploaded, mounted or checked
 *                    for existence ({@code gc.gracePeriod}, {@code BERTH_GC_GRACE_PERIOD}); also how long a
 *                    repository keeps a link to a blob that none of its manifests references
 */
public record GcConfig(Duration interval, Duration gracePeriod) {
    public static final GcConfig DEFAULT = new GcConfig(Duration.ofHours(1), Duration.ofHours(24));
    /** How many times per grace period an existence check may refresh a blob's {@code touched_at}. */
    private static final int TOUCHES_PER_GRACE_PERIOD = 8;

    public GcConfig {
        if (interval == null || interval.isNegative() || gracePeriod == null || gracePeriod.isNegative()) {
            throw new ConfigException(java.util.List.of("gc.interval and gc.gracePeriod must be durations of 0s or more"));
        }
    }

    public boolean scheduled() {
        return !interval.isZero();
    }

    /**
     * An existence check writes the blob's {@code touched_at} only when it is older than this, an eighth of the grace
     * period: a blob checked at any time stays protected for at least seven eighths of the grace period after it.
     */
    public Duration touchAfter() {
        return gracePeriod.dividedBy(TOUCHES_PER_GRACE_PERIOD);
    }
}
