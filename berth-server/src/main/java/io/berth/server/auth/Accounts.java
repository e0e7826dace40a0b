package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Who may log in: the users of the htpasswd file (its current version) and the robot accounts, each checked against a
 * bcrypt hash. An unknown name costs as much as a wrong password: a bcrypt check against a dummy hash of the cost the
 * accounts' hashes have ({@link DummyHash}, made again when the htpasswd file is reloaded), so timing does not tell
 * which names exist; bcrypt compares in constant time.
 */
final class Accounts {
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2Y,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));

    private final Supplier<Htpasswd> htpasswd;
    private final Map<String, byte[]> robotHashes;
    private final Policies policies;
    private final AtomicReference<DummyHash> dummy = new AtomicReference<>();

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
            verified = VERIFYER.verify(password.getBytes(StandardCharsets.UTF_8), known ? hash : dummy().hash()).verified;
        } catch (IllegalArgumentException e) {
            verified = false;
        }
        return known && verified ? known(user) : Optional.empty();
    }

    /** The bcrypt hash the account of this name logs in with now, if it exists: what its refresh tokens are bound to. */
    Optional<String> credential(String name) {
        byte[] robot = robotHashes.get(name);
        return robot != null ? Optional.of(new String(robot, StandardCharsets.US_ASCII)) : htpasswd.get().hash(name);
    }

    /** The dummy hash for the current htpasswd version, made again when the version changed (see {@link Security}). */
    DummyHash dummy() {
        Htpasswd current = htpasswd.get();
        DummyHash made = dummy.get();
        if (made == null || made.source() != current) {
            List<String> hashes = new ArrayList<>(current.hashes().values());
            robotHashes.values().forEach(h -> hashes.add(new String(h, StandardCharsets.US_ASCII)));
            made = DummyHash.like(current, hashes);
            dummy.set(made);
        }
        return made;
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
