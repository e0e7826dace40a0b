package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.berth.server.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may log in: the users of the htpasswd file (its current version) and the robot accounts, each checked against a
 * bcrypt hash. An unknown name costs as much as a wrong password (a bcrypt check against a dummy hash), so timing
 * does not tell which names exist; bcrypt compares in constant time.
 */
final class Accounts {
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2Y,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));
    private static final byte[] DUMMY_HASH = BCrypt.withDefaults().hash(10, "not a password".toCharArray());

    private final Supplier<Htpasswd> htpasswd;
    private final Map<String, byte[]> robotHashes;
    private final Policies policies;

    Accounts(Supplier<Htpasswd> htpasswd, AuthConfig config, Policies policies) {
        this.htpasswd = htpasswd;
        this.robotHashes = new HashMap<>();
        config.robots().forEach(r -> robotHashes.put(Subject.ROBOT_PREFIX + r.name(), r.tokenHash().getBytes(StandardCharsets.US_ASCII)));
        this.policies = policies;
    }

    /** The subject these credentials belong to, if they are right. */
    Optional<Subject> login(String user, String password) {
        byte[] hash = robotHashes.get(user);
        if (hash == null) {
            hash = htpasswd.get().hash(user).map(h -> h.getBytes(StandardCharsets.US_ASCII)).orElse(null);
        }
        boolean known = hash != null;
        boolean verified;
        try {
            verified = VERIFYER.verify(password.getBytes(StandardCharsets.UTF_8), known ? hash : DUMMY_HASH).verified;
        } catch (IllegalArgumentException e) {
            verified = false;
        }
        return known && verified ? known(user) : Optional.empty();
    }

    /** The subject of this name if it still exists: a robot of the configuration or a user of the htpasswd file. */
    Optional<Subject> known(String name) {
        if (robotHashes.containsKey(name)) {
            return Optional.of(new Subject(name, Subject.Kind.ROBOT, java.util.Set.of()));
        }
        if (htpasswd.get().hash(name).isPresent()) {
            return Optional.of(new Subject(name, Subject.Kind.USER, policies.groupsOf(name)));
        }
        return Optional.empty();
    }
}
