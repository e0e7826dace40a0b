package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks bearer tokens: a JWS (never {@code alg: none}, never a symmetric algorithm) signed by the key its
 * {@code kid} names among the keys of its issuer (Berth's own key, or a trusted issuer's JWKS); the issuer known; the
 * audience this registry's service; not expired and already valid, with 30 seconds of leeway for clock skew; for
 * Berth's own tokens, not issued before their subject's last revocation ({@link Revocations}). Access tokens carry
 * their grants in the {@code access} claim; refresh tokens are Berth's own and grant nothing by themselves.
 */
final class TokenVerifier {
    static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final Set<JWSAlgorithm> EC_ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Set<JWSAlgorithm> RSA_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

    /** Why a token is refused; the message never contains the token. */
    static final class InvalidToken extends Exception {
        InvalidToken(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * A verified access token.
     *
     * @param own    whether Berth issued it
     * @param holder whether Berth issued it to a holder that is not one of its accounts (a scanner); Berth's other
     *               tokens name an account, or nobody (anonymous)
     */
    record Verified(String issuer, String subject, List<Scope> access, boolean own, boolean holder) {
    }

    /** A verified refresh token: its account, and the fingerprint of the credential it was issued against. */
    record Refresh(String subject, String credential) {
    }

    private final String ownIssuer;
    private final JWKSet ownKeys;
    private final String audience;
    private final Map<String, Supplier<JWKSet>> trusted;
    private final Clock clock;
    private final Revocations revocations;

    TokenVerifier(String ownIssuer, JWKSet ownKeys, String audience, Map<String, Supplier<JWKSet>> trusted, Clock clock,
                  Revocations revocations) {
        this.ownIssuer = ownIssuer;
        this.ownKeys = ownKeys;
        this.audience = audience;
        this.trusted = Map.copyOf(trusted);
        this.clock = clock;
        this.revocations = revocations;
    }

    Verified access(String token) throws InvalidToken {
        JWTClaimsSet claims = verify(token);
        if (claims.getClaim(TokenIssuer.TOKEN_USE) != null) {
            throw new InvalidToken("not an access token");
        }
        boolean own = ownIssuer.equals(claims.getIssuer());
        return new Verified(claims.getIssuer(), Optional.ofNullable(claims.getSubject()).orElse(""), access(claims), own,
                own && TokenIssuer.EXTERNAL.equals(claims.getClaim(TokenIssuer.SUBJECT_KIND)));
    }

    /** One of Berth's own refresh tokens. */
    Refresh refresh(String token) throws InvalidToken {
        JWTClaimsSet claims = verify(token);
        if (!ownIssuer.equals(claims.getIssuer()) || !TokenIssuer.REFRESH.equals(claims.getClaim(TokenIssuer.TOKEN_USE))
                || claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw new InvalidToken("not a refresh token");
        }
        return new Refresh(claims.getSubject(), claims.getClaim(CredentialFingerprint.CLAIM) instanceof String s ? s : null);
    }

    private JWTClaimsSet verify(String token) throws InvalidToken {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new InvalidToken("malformed token");
        }
        String issuer = claims.getIssuer();
        JWKSet keys = issuer == null ? null
                : ownIssuer.equals(issuer) ? ownKeys
                : Optional.ofNullable(trusted.get(issuer)).map(Supplier::get).orElse(null);
        if (keys == null) {
            throw new InvalidToken("unknown issuer");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        JWK key = key(keys, jwt.getHeader().getKeyID()).orElseThrow(() -> new InvalidToken("unknown key"));
        if (!verifier(key, algorithm).map(v -> verifies(jwt, v)).orElse(false)) {
            throw new InvalidToken("bad signature");
        }
        List<String> audiences = claims.getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            throw new InvalidToken("wrong audience");
        }
        Instant now = clock.instant();
        Date expires = claims.getExpirationTime();
        if (expires == null || !now.minus(LEEWAY).isBefore(expires.toInstant())) {
            throw new InvalidToken("expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.plus(LEEWAY).isBefore(notBefore.toInstant())) {
            throw new InvalidToken("not valid yet");
        }
        Date issued = claims.getIssueTime();
        if (ownIssuer.equals(issuer) && claims.getSubject() != null
                && revocations.revoked(claims.getSubject(), issued == null ? null : issued.toInstant())) {
            throw new InvalidToken("revoked");
        }
        return claims;
    }

    private static Optional<JWK> key(JWKSet keys, String kid) {
        List<JWK> all = keys.getKeys();
        if (kid == null) {
            return all.size() == 1 ? Optional.of(all.get(0)) : Optional.empty();
        }
        return Optional.ofNullable(keys.getKeyByKeyId(kid));
    }

    private static Optional<JWSVerifier> verifier(JWK key, JWSAlgorithm algorithm) {
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(algorithm)) {
            return Optional.empty();
        }
        try {
            if (key instanceof ECKey ec && EC_ALGORITHMS.contains(algorithm)) {
                return Optional.of(new ECDSAVerifier(ec.toPublicJWK()));
            }
            if (key instanceof RSAKey rsa && RSA_ALGORITHMS.contains(algorithm)) {
                return Optional.of(new RSASSAVerifier(rsa.toPublicJWK()));
            }
        } catch (JOSEException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean verifies(SignedJWT jwt, JWSVerifier verifier) {
        try {
            return verifier.supportedJWSAlgorithms().contains(jwt.getHeader().getAlgorithm()) && jwt.verify(verifier);
        } catch (JOSEException | RuntimeException e) {
            return false;
        }
    }

    /** The {@code access} claim: {@code [{"type":"repository","name":"…","actions":["pull"]}]}; unknown entries dropped. */
    private static List<Scope> access(JWTClaimsSet claims) {
        List<Scope> scopes = new ArrayList<>();
        if (!(claims.getClaim("access") instanceof Collection<?> entries)) {
            return scopes;
        }
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> map) || !(map.get("type") instanceof String type)
                    || !(map.get("name") instanceof String name) || !(map.get("actions") instanceof Collection<?> actions)) {
                continue;
            }
            Set<Action> granted = EnumSet.noneOf(Action.class);
            boolean all = false;
            for (Object action : actions) {
                if (action instanceof String a) {
                    granted.addAll(Action.parse(a));
                    all |= a.equals("*");
                }
            }
            if (type.equals(Scope.REGISTRY) && all) {
                Scope.parse(type + ":" + name + ":*").ifPresent(scopes::add);
            } else if (type.equals(Scope.REPOSITORY)) {
                Scope.parse(type + ":" + name + ":x").map(s -> new Scope(type, name, granted)).ifPresent(scopes::add);
            }
        }
        return scopes;
    }
}
