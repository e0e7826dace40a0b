package io.berth.client.auth;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides the {@code Authorization} header of each request. It learns per registry host from the first
 * {@code 401} challenge whether the host wants basic credentials or bearer tokens, then sends them up front. Bearer
 * tokens are fetched from the challenge's realm for the request's scope, cached per host and scope until they expire,
 * and fetched again when the registry answers {@code 401} to a cached one. Thread-safe.
 */
public final class Authenticator {
    private final CredentialSource credentials;
    private final TokenFetcher tokens;
    private final Clock clock;
    private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
    private final Map<String, TokenFetcher.Token> cache = new ConcurrentHashMap<>();

    public Authenticator(CredentialSource credentials, HttpClient http) {
        this(credentials, http, Clock.systemUTC());
    }

    Authenticator(CredentialSource credentials, HttpClient http, Clock clock) {
        this.credentials = credentials;
        this.tokens = new TokenFetcher(http, clock);
        this.clock = clock;
    }

    /** The header to send to {@code registry} for a request needing {@code scope}; empty before any challenge. */
    public Optional<String> authorization(String registry, Scope scope) {
        Challenge challenge = challenges.get(registry);
        if (challenge == null) {
            return Optional.empty();
        }
        if (challenge.isBasic()) {
            return credentials.find(registry).map(Credentials::basicHeader);
        }
        TokenFetcher.Token token = cache.get(cacheKey(registry, scope));
        if (token != null && token.usable(clock)) {
            return Optional.of("Bearer " + token.value());
        }
        return Optional.of(bearer(registry, scope, challenge, scope.entries()));
    }

    /**
     * The registry answered {@code 401} with {@code wwwAuthenticate} to a request sent with {@code sent} (or none).
     * Returns the header to retry with, or empty when retrying cannot help (no credentials, or they were just refused).
     * A token server that refuses the credentials raises {@link io.berth.oci.RegistryException} {@code UNAUTHORIZED}.
     */
    public Optional<String> challenged(String registry, Scope scope, String wwwAuthenticate, Optional<String> sent) {
        Optional<Challenge> parsed = Challenge.parse(wwwAuthenticate);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Challenge challenge = parsed.get();
        challenges.put(registry, challenge);
        if (challenge.isBasic()) {
            Optional<String> basic = credentials.find(registry).map(Credentials::basicHeader);
            return basic.filter(header -> !sent.equals(Optional.of(header)));
        }
        if (!challenge.isBearer() || challenge.parameter("realm").isEmpty()) {
            return Optional.empty();
        }
        cache.remove(cacheKey(registry, scope));
        List<String> scopes = new ArrayList<>(scope.entries());
        challenge.parameter("scope").ifPresent(s -> Arrays.stream(s.split(" "))
                .filter(e -> !e.isBlank() && !scopes.contains(e)).forEach(scopes::add));
        String header = bearer(registry, scope, challenge, scopes);
        return sent.equals(Optional.of(header)) ? Optional.empty() : Optional.of(header);
    }

    private String bearer(String registry, Scope scope, Challenge challenge, List<String> scopes) {
        TokenFetcher.Token token = tokens.fetch(challenge.parameter("realm").orElseThrow(), challenge.parameter("service"),
                scopes, credentials.find(registry));
        cache.put(cacheKey(registry, scope), token);
        return "Bearer " + token.value();
    }

    private static String cacheKey(String registry, Scope scope) {
        return registry + " " + scope.key();
    }
}
