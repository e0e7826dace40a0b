package io.berth.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signs ES256 JWTs: access tokens carrying the granted scopes as the {@code access} claim of the Docker registry token
 * specification, and refresh tokens ({@code token_use: refresh}, no access) that the token endpoint exchanges for
 * new access tokens while the account still exists with the same credential ({@link CredentialFingerprint}). An
 * access token for a holder that is not an account (a scanner) says so ({@code sub_kind: external}). Tokens are dated
 * no earlier than the end of their subject's last revocation ({@link Revocations#earliestIssue}).
 */
final class TokenIssuer {
    static final String TOKEN_USE = "token_use";
    static final String REFRESH = "refresh";
    /** The claim that marks an access token for a holder that is not one of Berth's accounts. */
    static final String SUBJECT_KIND = "sub_kind";
    static final String EXTERNAL = "external";

    private final ECKey key;
    private final ECDSASigner signer;
    private final AuthConfig.Token config;
    private final Clock clock;
    private final Revocations revocations;

    TokenIssuer(ECKey key, AuthConfig.Token config, Clock clock, Revocations revocations) {
        this.key = key;
        this.config = config;
        this.clock = clock;
        this.revocations = revocations;
        try {
            this.signer = new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("unusable token signing key", e);
        }
    }

    ECKey key() {
        return key;
    }

    /** A signed access token and when it was issued. */
    record Issued(String token, Instant issuedAt, long expiresIn) {
    }

    Issued access(Subject subject, List<Scope> granted) {
        List<Object> access = new ArrayList<>();
        for (Scope scope : granted) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", scope.type());
            entry.put("name", scope.name());
            entry.put("actions", scope.isRegistry() ? List.of("*") : scope.actions().stream().map(Action::wire).toList());
            access.add(entry);
        }
        Instant now = issueTime(subject);
        JWTClaimsSet.Builder claims = base(subject, now, now.plus(config.ttl())).claim("access", access);
        if (subject.kind() == Subject.Kind.EXTERNAL) {
            claims.claim(SUBJECT_KIND, EXTERNAL);
        }
        return new Issued(sign(claims.build()), now, config.ttl().toSeconds());
    }

    /** A refresh token bound to the account's current credential by its {@code fingerprint}. */
    String refresh(Subject subject, String fingerprint) {
        Instant now = issueTime(subject);
        return sign(base(subject, now, now.plus(config.refreshTtl())).claim(TOKEN_USE, REFRESH)
                .claim(CredentialFingerprint.CLAIM, fingerprint).build());
    }

    private Instant issueTime(Subject subject) {
        return revocations.earliestIssue(subject.name(), clock.instant());
    }

    private JWTClaimsSet.Builder base(Subject subject, Instant now, Instant expires) {
        return new JWTClaimsSet.Builder()
                .issuer(config.issuer())
                .subject(subject.name())
                .audience(config.service())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString());
    }

    private String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }
}
