package io.berth.server.auth;

import java.time.Duration;
import java.util.Optional;

/**
 * Password logins with the {@link LoginThrottle} in front: a login the throttle holds back is refused before any
 * check.
 */
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

    Accounts accounts() {
        return accounts;
    }

    Outcome login(String user, String password, String client) {
        Optional<Duration> locked = throttle.admit(user, client);
        if (locked.isPresent()) {
            return new Outcome(Optional.empty(), locked);
        }
        Optional<Subject> subject = Optional.empty();
        try {
            subject = accounts.login(user, password);
        } finally {
            if (subject.isPresent()) {
                throttle.succeeded(user, client);
            } else {
                throttle.failed(user, client);
            }
        }
        return new Outcome(subject, Optional.empty());
    }

    Optional<Subject> known(String name) {
        return accounts.known(name);
    }
}
