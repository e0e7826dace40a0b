package io.berth.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed password checks per key within a window: at {@code maxFailures} the key is locked for {@code lockout}.
 * Checks in progress count as well ({@link #reserve}), so that parallel guesses cannot slip past the limit between
 * a check and its outcome: at most {@code maxFailures} checks fail per key and window, however many run at once.
 */
final class FailureCounts {
    private static final int MAX_TRACKED = 100_000;

    private record Count(Instant windowStart, int failures, int inFlight, Instant lockedUntil) {
        boolean locked(Instant now) {
            return lockedUntil != null && now.isBefore(lockedUntil);
        }
    }

    private final int maxFailures;
    private final Duration window;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Count> counts = new ConcurrentHashMap<>();

    FailureCounts(int maxFailures, Duration window, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.lockout = lockout;
        this.clock = clock;
    }

    /**
     * Takes a place for one check of {@code key}: empty when taken, else how long to wait (the lockout left, or a
     * second while the places are held by checks in progress). A taken place must be given back with {@link #failed}
     * or {@link #done}.
     */
    Optional<Duration> reserve(String key) {
        Instant now = clock.instant();
        if (counts.size() > MAX_TRACKED) {
            counts.values().removeIf(c -> c.inFlight() == 0 && expired(c, now));
        }
        Duration[] wait = {null};
        counts.compute(key, (k, c) -> {
            c = c == null || (c.inFlight() == 0 && expired(c, now)) ? new Count(now, 0, 0, null) : c;
            if (c.locked(now)) {
                wait[0] = Duration.between(now, c.lockedUntil());
                return c;
            }
            if (c.failures() + c.inFlight() >= maxFailures) {
                wait[0] = Duration.ofSeconds(1);
                return c;
            }
            return new Count(c.windowStart(), c.failures(), c.inFlight() + 1, c.lockedUntil());
        });
        return Optional.ofNullable(wait[0]);
    }

    /** Gives the place back after a failed check, which counts; the last failure allowed locks the key. */
    void failed(String key) {
        Instant now = clock.instant();
        counts.computeIfPresent(key, (k, c) -> {
            int failures = c.failures() + 1;
            int inFlight = Math.max(0, c.inFlight() - 1);
            if (failures >= maxFailures) {
                return new Count(now, 0, inFlight, now.plus(lockout));
            }
            return new Count(c.windowStart(), failures, inFlight, c.lockedUntil());
        });
    }

    /** Gives the place back after a check that succeeded; with {@code forget}, the key's failures are forgotten too. */
    void done(String key, boolean forget) {
        counts.computeIfPresent(key, (k, c) -> forget && c.inFlight() <= 1 && !c.locked(clock.instant()) ? null
                : new Count(c.windowStart(), forget ? 0 : c.failures(), Math.max(0, c.inFlight() - 1), c.lockedUntil()));
    }

    private boolean expired(Count c, Instant now) {
        return !now.isBefore(c.windowStart().plus(window)) && !c.locked(now);
    }
}
