package io.berth.server.auth;

import io.berth.server.config.AuthConfig.RateLimit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per client address: after {@code maxFailures} within {@code window}, the address is locked out for
 * {@code lockout}, and every login from it is answered 429 without checking the password. A success resets the count.
 */
final class LoginThrottle {
    private static final int MAX_TRACKED = 100_000;

    private record Failures(Instant windowStart, int count, Instant lockedUntil) {
    }

    private final RateLimit limit;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    LoginThrottle(RateLimit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** How much longer the address is locked out, if it is. */
    Optional<Duration> lockedFor(String client) {
        Failures f = failures.get(client);
        Instant now = clock.instant();
        if (f == null || f.lockedUntil() == null || !now.isBefore(f.lockedUntil())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.lockedUntil()));
    }

    void failed(String client) {
        Instant now = clock.instant();
        if (failures.size() > MAX_TRACKED) {
            failures.values().removeIf(f -> expired(f, now));
        }
        failures.compute(client, (address, f) -> {
            if (f == null || expired(f, now)) {
                f = new Failures(now, 0, null);
            }
            int count = f.count() + 1;
            Instant lockedUntil = count >= limit.maxFailures() ? now.plus(limit.lockout()) : f.lockedUntil();
            return new Failures(count >= limit.maxFailures() ? now : f.windowStart(), count >= limit.maxFailures() ? 0 : count,
                    lockedUntil);
        });
    }

    void succeeded(String client) {
        failures.remove(client);
    }

    private boolean expired(Failures f, Instant now) {
        boolean windowOver = !now.isBefore(f.windowStart().plus(limit.window()));
        boolean unlocked = f.lockedUntil() == null || !now.isBefore(f.lockedUntil());
        return windowOver && unlocked;
    }
}
