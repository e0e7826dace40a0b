package io.berth.server.auth;

import io.berth.server.log.LogText;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Path;
import io.berth.server.meta.RevocationRecords;
import io.berth.server.meta.SigningKeyRecord;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds authorization from the configuration: {@link OpenAccess} when none is configured; otherwise the htpasswd
 * file, robots, policies, the signing key, trusted issuers, a {@link PolicyAccess} and the {@link TokenService}, and
 * a timer that reloads the htpasswd and JWKS files when they change.
 */
public final class Security implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Security.class);
    /** How often watched files are checked for changes. */
    static final long RELOAD_MILLIS = 2_000;
    /** Under the data directory: who signed out when ({@link Revocations}). */
    static final String REVOCATIONS_FILE = "token-revocations.json";

    private final AccessController access;
    private final Optional<TokenService> tokens;
    private final Runnable stop;
    private final Optional<String> signingKeyId;
    private final Runnable reloadRevocations;

    private Security(AccessController access, Optional<TokenService> tokens, Runnable stop, Optional<String> signingKeyId,
                     Runnable reloadRevocations) {
        this.access = access;
        this.tokens = tokens;
        this.stop = stop;
        this.signingKeyId = signingKeyId;
        this.reloadRevocations = reloadRevocations;
    }

    /** What nodes sharing a database share: the signing key (unless a file is configured) and the revocations. */
    public record Shared(SigningKeyRecord signingKey, RevocationRecords revocations) {
    }

    /** @param dataDir where the signing key and the revocations are kept unless configured elsewhere */
    public static Security start(AuthConfig auth, Path dataDir, Vertx vertx, WorkerExecutor workers) {
        return start(auth, dataDir, vertx, workers, Optional.empty());
    }

    /**
     * @param shared the database's signing key and revocations, instead of the files under {@code dataDir} (which are
     *               copied in once when the database has none yet)
     */
    public static Security start(AuthConfig auth, Path dataDir, Vertx vertx, WorkerExecutor workers,
                                 Optional<Shared> shared) {
        if (!auth.enabled()) {
            return new Security(OpenAccess.INSTANCE, Optional.empty(), () -> { }, Optional.empty(), () -> { });
        }
        Clock clock = Clock.systemUTC();
        List<WatchedFile<?>> watched = new ArrayList<>();
        Supplier<Htpasswd> htpasswd = () -> Htpasswd.EMPTY;
        if (auth.htpasswd().isPresent()) {
            WatchedFile<Htpasswd> file = WatchedFile.load(auth.htpasswd().get(), "htpasswd file", content -> {
                Htpasswd parsed = Htpasswd.parse(content);
                parsed.problems().forEach(p -> LOG.warn("htpasswd {}: {}", auth.htpasswd().get(), LogText.escaped(p)));
                return parsed;
            });
            watched.add(file);
            htpasswd = file;
        }
        Map<String, Supplier<JWKSet>> trusted = new HashMap<>();
        for (AuthConfig.TrustedIssuer issuer : auth.trustedIssuers()) {
            WatchedFile<JWKSet> jwks = WatchedFile.load(issuer.jwks(), "JWKS of " + issuer.issuer(),
                    content -> JWKSet.parse(new String(content, StandardCharsets.UTF_8)).toPublicJWKSet());
            watched.add(jwks);
            trusted.put(issuer.issuer(), jwks);
        }
        Path legacyKey = dataDir.resolve("token-key.jwk");
        ECKey key = auth.token().key().isPresent() || shared.isEmpty()
                ? TokenKeys.loadOrCreate(auth.token().key().orElse(legacyKey))
                : TokenKeys.shared(shared.get().signingKey(), legacyKey, clock);
        Policies policies = Policies.of(auth);
        Accounts accounts = new Accounts(htpasswd, auth, policies);
        accounts.dummy();
        Logins logins = new Logins(accounts, new LoginThrottle(auth.rateLimit(), clock));
        Duration keep = longest(auth.token().ttl(), auth.token().refreshTtl()).plus(TokenVerifier.LEEWAY);
        Revocations revocations = shared.isPresent()
                ? Revocations.shared(shared.get().revocations(), dataDir.resolve(REVOCATIONS_FILE), keep, clock)
                : Revocations.load(dataDir.resolve(REVOCATIONS_FILE), keep, clock);
        TokenVerifier verifier = new TokenVerifier(auth.token().issuer(), TokenKeys.publicSet(key),
                auth.token().service(), trusted, clock, revocations);
        TokenService tokens = new TokenService(logins, policies, verifier,
                new TokenIssuer(key, auth.token(), clock, revocations), auth.token(), revocations);
        long timer = vertx.setPeriodic(RELOAD_MILLIS, id -> workers.executeBlocking(() -> {
            watched.forEach(WatchedFile::poll);
            accounts.dummy(); // made now for a new htpasswd version, not during the next login
            return null;
        }, false));
        LOG.info("authorization on: {}{} robot(s), {} policy(ies), {} trusted issuer(s); tokens by {} for service {}",
                auth.htpasswd().map(p -> "htpasswd " + p + ", ").orElse(""), auth.robots().size(),
                auth.policies().size(), auth.trustedIssuers().size(), auth.token().issuer(), auth.token().service());
        return new Security(new PolicyAccess(logins, policies, verifier, auth.token(), workers), Optional.of(tokens),
                () -> vertx.cancelTimer(timer), Optional.of(key.getKeyID()), revocations::reload);
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The id of the key this node signs tokens with, when it has a token service: all nodes must use one key. */
    public Optional<String> signingKeyId() {
        return signingKeyId;
    }

    /** Blocking: reads the shared revocations again, on another node's signal. */
    public void reloadRevocations() {
        reloadRevocations.run();
    }

    public AccessController access() {
        return access;
    }

    /** The token endpoint's logic, when authorization is on. */
    public Optional<TokenService> tokens() {
        return tokens;
    }

    @Override
    public void close() {
        stop.run();
    }
}
