package io.berth.server.auth;

import java.time.Duration;
import java.util.Optional;

/** Password logins with the per-address throttle in front: a locked-out address is refused before any check. */
final class Logins {
    /** A login's outcome: the subject, or empty for wrong credentials; {@code lockedFor} while locked out. */
    record Outcome(Optional<Subject> subject, Optional<Duration> lockedFor) {
    }

    private final Accounts accounts;
    private final LoginThrottle throttle;

    Logins(Accounts accounts, LoginThrottle throttle) {
        this.accounts = accounts;
        this.throttle = throttle;
    }

    Outcome login(String user, String password, String client) {
        Optional<Duration> locked = throttle.lockedFor(client);
        if (locked.isPresent()) {
            return new Outcome(Optional.empty(), locked);
        }
        Optional<Subject> subject = accounts.login(user, password);
        if (subject.isPresent()) {
            throttle.succeeded(client);
        } else {
            throttle.failed(client);
        }
        return new Outcome(subject, Optional.empty());
    }

    Optional<Subject> known(String name) {
        return accounts.known(name);
    }
}
