package io.berth.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.berth.server.auth.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What makes a bearer token unacceptable, one reason per test, and what a good one grants. */
class TokenVerifierTest {
    static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    static final ECKey OWN = key("own");
    static final ECKey OTHER = key("other");
    static final RSAKey EXTERNAL = rsa("sso-1");
    final Revocations revocations = Revocations.inMemory(java.time.Duration.ofDays(2), Clock.fixed(NOW, ZoneOffset.UTC));
    final TokenVerifier verifier = new TokenVerifier("berth", new JWKSet(OWN.toPublicJWK()), "registry",
            Map.of("https://sso.example.com", () -> new JWKSet(EXTERNAL.toPublicJWK())), Clock.fixed(NOW, ZoneOffset.UTC),
            revocations);

    static ECKey key(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        return change.apply(AuthSetup.claims("alice", NOW.minusSeconds(60), NOW.plusSeconds(240), "samples/app", "pull")
                .audience("registry")).build();
    }

    static String signed(ECKey key, JWTClaimsSet claims) {
        return AuthSetup.sign(key, claims);
    }

    @Test
    void aGoodTokenGrantsItsAccessClaim() throws Exception {
        TokenVerifier.Verified verified = verifier.access(signed(OWN, claims(c -> c)));

        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.own()).isTrue();
        assertThat(verified.access()).containsExactly(new Scope("repository", "samples/app", java.util.EnumSet.of(Action.PULL)));
    }

    @Test
    void anExpiredTokenIsRefused() {
        assertRefused(signed(OWN, claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(31))))), "expired");
    }

    @Test
    void expiryWithinTheClockSkewLeewayIsAccepted() throws Exception {
        assertThat(verifier.access(signed(OWN, claims(c -> c.expirationTime(Date.from(NOW.minusSeconds(20))))))).isNotNull();
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        assertRefused(signed(OWN, claims(c -> c.expirationTime(null))), "expired");
    }

    @Test
    void aTokenNotValidYetIsRefused() {
        assertRefused(signed(OWN, claims(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(120))))), "not valid yet");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        assertRefused(signed(OWN, claims(c -> c.audience("another-registry"))), "wrong audience");
        assertRefused(signed(OWN, claims(c -> c.audience((String) null))), "wrong audience");
    }

    @Test
    void aTokenOfAnUnknownIssuerIsRefused() {
        assertRefused(signed(OWN, claims(c -> c.issuer("somebody-else"))), "unknown issuer");
        assertRefused(signed(OWN, claims(c -> c.issuer(null))), "unknown issuer");
    }

    @Test
    void aTamperedSignatureIsRefused() {
        assertRefused(AuthSetup.tampered(signed(OWN, claims(c -> c))), "bad signature");
    }

    @Test
    void tamperedClaimsAreRefused() {
        String token = signed(OWN, claims(c -> c));
        String[] parts = token.split("\\.");
        String claims = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8).replace("\"pull\"", "\"push\"");
        assertRefused(parts[0] + "." + Base64URL.encode(claims) + "." + parts[2], "bad signature");
    }

    @Test
    void aTokenSignedByAnotherKeyUnderAKnownKidIsRefused() {
        ECKey impostor = new ECKey.Builder(OTHER).keyID(OWN.getKeyID()).build();
        assertRefused(signed(impostor, claims(c -> c)), "bad signature");
    }

    @Test
    void anUnknownKidIsRefused() {
        assertRefused(signed(OTHER, claims(c -> c)), "unknown key");
    }

    @Test
    void algNoneIsRefused() {
        assertRefused(new PlainJWT(claims(c -> c)).serialize(), "malformed token");
        // and a JWS header claiming none with an empty signature
        String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"own\"}").toString();
        String body = Base64URL.encode(claims(c -> c).toString()).toString();
        assertRefused(header + "." + body + ".", "malformed token");
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("own").type(JOSEObjectType.JWT).build(),
                claims(c -> c));
        jwt.sign(new MACSigner(OWN.toPublicJWK().toJSONString().repeat(2).getBytes(StandardCharsets.UTF_8)));
        assertRefused(jwt.serialize(), "bad signature");
    }

    @Test
    void garbageIsRefused() {
        assertRefused("not-a-token", "malformed token");
        assertRefused("a.b.c", "malformed token");
    }

    @Test
    void aTrustedExternalIssuersRs256TokenIsAccepted() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("sso-1").build(),
                claims(c -> c.issuer("https://sso.example.com").subject("carol")));
        jwt.sign(new RSASSASigner(EXTERNAL));

        TokenVerifier.Verified verified = verifier.access(jwt.serialize());

        assertThat(verified.own()).isFalse();
        assertThat(verified.subject()).isEqualTo("carol");
        assertThat(verified.access()).extracting(Scope::name).containsExactly("samples/app");
    }

    @Test
    void anExternalIssuerCannotUseBerthsKeysNorBerthItsKeys() {
        assertRefused(signed(OWN, claims(c -> c.issuer("https://sso.example.com"))), "unknown key");
    }

    private TokenIssuer issuer() {
        return new TokenIssuer(OWN, new AuthConfig.Token("berth", "registry", java.util.Optional.empty(),
                java.time.Duration.ofMinutes(5), java.time.Duration.ofDays(1), java.util.Optional.empty()),
                Clock.fixed(NOW, ZoneOffset.UTC), revocations);
    }

    @Test
    void refreshTokensAndAccessTokensAreNotInterchangeable() throws Exception {
        TokenIssuer issuer = issuer();
        Subject alice = new Subject("alice", Subject.Kind.USER, java.util.Set.of());
        String refresh = issuer.refresh(alice, "fingerprint");
        String access = issuer.access(alice, List.of()).token();

        assertThat(verifier.refresh(refresh)).isEqualTo(new TokenVerifier.Refresh("alice", "fingerprint"));
        assertThatThrownBy(() -> verifier.access(refresh)).hasMessage("not an access token");
        assertThatThrownBy(() -> verifier.refresh(access)).hasMessage("not a refresh token");
    }

    @Test
    void berthsTokensIssuedBeforeTheirSubjectSignedOutAreRevokedAndLaterOnesAreNot() throws Exception {
        TokenIssuer issuer = issuer();
        Subject alice = new Subject("alice", Subject.Kind.USER, java.util.Set.of());
        Subject bob = new Subject("bob", Subject.Kind.USER, java.util.Set.of());
        String before = issuer.access(alice, List.of()).token();
        String refreshBefore = issuer.refresh(alice, "fingerprint");
        String bobs = issuer.access(bob, List.of()).token();

        revocations.revoke("alice");
        String after = issuer.access(alice, List.of()).token();

        assertRefused(before, "revoked");
        assertThatThrownBy(() -> verifier.refresh(refreshBefore)).hasMessage("revoked");
        assertThat(verifier.access(after).subject()).as("issued in the same second, after the sign-out").isEqualTo("alice");
        assertThat(verifier.access(bobs).subject()).isEqualTo("bob");
    }

    @Test
    void onlyHolderTokensIssuedByBerthAreMarkedAsNotBeingAnAccount() throws Exception {
        TokenIssuer issuer = issuer();
        String holder = issuer.access(new Subject("scanner/trivy", Subject.Kind.EXTERNAL, java.util.Set.of()), List.of()).token();
        String user = issuer.access(new Subject("alice", Subject.Kind.USER, java.util.Set.of()), List.of()).token();

        assertThat(verifier.access(holder).holder()).isTrue();
        assertThat(verifier.access(user).holder()).isFalse();
    }

    private void assertRefused(String token, String reason) {
        assertThatThrownBy(() -> verifier.access(token)).isInstanceOf(TokenVerifier.InvalidToken.class).hasMessage(reason);
    }
}
