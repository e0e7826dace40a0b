package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.json;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.anonymous;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /token}: GET with basic credentials, a refresh token or nothing; the OAuth2 POST form; scope narrowing. */
class TokenEndpointTest {
    @TempDir
    static Path dir;
    static BerthFixture registry;
    static AuthHttp http;
    static final String READER = basic("reader", "reader-pw");
    static final String WRITER = basic("writer", "writer-pw");

    @BeforeAll
    static void start() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "reader", "reader-pw", "writer", "writer-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("team/**", List.of("reader"), "pull"),
                        users("team/**", List.of("writer"), "pull", "push"), anonymous("open/**", "pull")))
                .withRobots(List.of(AuthSetup.robot("ci", "s3cr3t-robot-token", users("team/ci/*", List.of(), "pull", "push"))))
                .withRateLimit(new AuthConfig.RateLimit(1000, Duration.ofMinutes(1), Duration.ofMinutes(1)));
        registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth));
        http = new AuthHttp(registry.baseUri());
        http.pushImage("team/app", "v1", WRITER);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpResponse<byte[]> get(String query, String auth) {
        return http.get("/token?service=berth&" + query, auth);
    }

    private static HttpResponse<byte[]> post(String form) {
        return http.send("POST", "/token", form.getBytes(StandardCharsets.UTF_8), null,
                "Content-Type", "application/x-www-form-urlencoded");
    }

    private static String scope(String scope) {
        return "scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
    }

    /** The token's claims, after checking its ES256 signature with the published key. */
    private static Map<String, Object> claims(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        ECKey key = (ECKey) JWKSet.parse(text(http.get("/token/jwks", null))).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).as("the key named by kid is published").isNotNull();
        assertThat(key.isPrivate()).isFalse();
        assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
        return jwt.getJWTClaimsSet().toJSONObject();
    }

    @Test
    void getWithBasicCredentialsIssuesAShortLivedEs256TokenWithTheGrantedAccess() throws Exception {
        HttpResponse<byte[]> response = get(scope("repository:team/app:pull,push"), WRITER);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = json(response);
        assertThat(body.path("token").asText()).isEqualTo(body.path("access_token").asText());
        assertThat(body.path("expires_in").asInt()).isEqualTo(300);
        assertThat(body.path("issued_at").asText()).isNotEmpty();
        assertThat(body.has("refresh_token")).isFalse();
        Map<String, Object> claims = claims(body.path("token").asText());
        assertThat(claims).containsEntry("iss", "berth").containsEntry("sub", "writer").containsEntry("aud", "berth");
        assertThat((Long) claims.get("exp") - (Long) claims.get("iat")).isEqualTo(300);
        assertThat(claims.get("access")).isEqualTo(List.of(Map.of("type", "repository", "name", "team/app",
                "actions", List.of("pull", "push"))));
        assertThat(http.send("POST", "/v2/team/app/blobs/uploads/", null, bearer(body.path("token").asText()))
                .statusCode()).isEqualTo(202);
    }

    @Test
    void askingForMoreThanThePoliciesGrantGetsOnlyWhatTheyGrant() throws Exception {
        HttpResponse<byte[]> response = get(scope("repository:team/app:pull,push,delete") + "&"
                + scope("repository:elsewhere/app:pull") + "&" + scope("registry:catalog:*"), READER);

        assertThat(response.statusCode()).isEqualTo(200);
        String token = json(response).path("token").asText();
        assertThat(claims(token).get("access")).isEqualTo(List.of(
                Map.of("type", "repository", "name", "team/app", "actions", List.of("pull")),
                Map.of("type", "registry", "name", "catalog", "actions", List.of("*"))));
        assertThat(json(response).path("scope").asText()).isEqualTo("repository:team/app:pull registry:catalog:*");
        assertThat(http.get("/v2/team/app/tags/list", bearer(token)).statusCode()).isEqualTo(200);
        assertThat(http.send("POST", "/v2/team/app/blobs/uploads/", null, bearer(token)).statusCode()).isEqualTo(403);
    }

    @Test
    void severalScopesInOneParameterAreSeparatedBySpaces() throws Exception {
        HttpResponse<byte[]> response = get(scope("repository:team/app:pull repository:team/other:push"), WRITER);
        assertThat(claims(json(response).path("token").asText()).get("access")).isEqualTo(List.of(
                Map.of("type", "repository", "name", "team/app", "actions", List.of("pull")),
                Map.of("type", "repository", "name", "team/other", "actions", List.of("push"))));
    }

    @Test
    void withoutCredentialsTheTokenCarriesWhatAnonymousCallersMayDo() throws Exception {
        HttpResponse<byte[]> response = get(scope("repository:open/app:pull,push") + "&" + scope("repository:team/app:pull"), null);

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> claims = claims(json(response).path("token").asText());
        assertThat(claims).containsEntry("sub", "");
        assertThat(claims.get("access")).isEqualTo(List.of(Map.of("type", "repository", "name", "open/app", "actions", List.of("pull"))));
    }

    @Test
    void wrongCredentialsAre401WithABasicChallenge() {
        HttpResponse<byte[]> response = get(scope("repository:team/app:pull"), basic("reader", "wrong"));
        HttpResponse<byte[]> unknown = get(scope("repository:team/app:pull"), basic("nobody", "wrong"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"berth\"");
        assertThat(json(response).path("errors").get(0).path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(text(unknown).replaceAll("\"requestId\":\"[^\"]*\"", ""))
                .as("an unknown user is refused like a wrong password")
                .isEqualTo(text(response).replaceAll("\"requestId\":\"[^\"]*\"", ""));
    }

    @Test
    void offlineTokenGivesARefreshTokenThatGetsNewAccessTokens() throws Exception {
        HttpResponse<byte[]> first = get("offline_token=true&client_id=test&" + scope("repository:team/app:pull"), WRITER);
        String refresh = json(first).path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();
        assertThat(claims(refresh)).containsEntry("token_use", "refresh").doesNotContainKey("access");

        // GET with the refresh token as parameter, and as bearer
        HttpResponse<byte[]> byParameter = get("refresh_token=" + refresh + "&" + scope("repository:team/app:push"), null);
        HttpResponse<byte[]> byBearer = get(scope("repository:team/app:pull"), bearer(refresh));
        // the OAuth2 form
        HttpResponse<byte[]> byForm = post("grant_type=refresh_token&service=berth&client_id=test&refresh_token="
                + refresh + "&" + scope("repository:team/app:pull,push"));

        assertThat(claims(json(byParameter).path("token").asText()).get("access"))
                .isEqualTo(List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("push"))));
        assertThat(claims(json(byBearer).path("token").asText())).containsEntry("sub", "writer");
        assertThat(byForm.statusCode()).as(text(byForm)).isEqualTo(200);
        assertThat(json(byForm).path("scope").asText()).isEqualTo("repository:team/app:pull,push");
        assertThat(claims(json(byForm).path("access_token").asText())).containsEntry("sub", "writer");
    }

    @Test
    void aRefreshTokenIsNoAccessTokenAndAnAccessTokenIsNoRefreshToken() {
        String refresh = json(get("offline_token=true&" + scope("repository:team/app:pull"), WRITER)).path("refresh_token").asText();
        String access = http.token(WRITER, "repository:team/app:pull");

        assertThat(http.get("/v2/team/app/tags/list", bearer(refresh)).statusCode()).isEqualTo(401);
        assertThat(post("grant_type=refresh_token&service=berth&refresh_token=" + access).statusCode()).isEqualTo(401);
        assertThat(post("grant_type=refresh_token&service=berth&refresh_token=garbage").statusCode()).isEqualTo(401);
    }

    @Test
    void passwordFormWithAccessTypeOfflineIssuesARefreshToken() throws Exception {
        HttpResponse<byte[]> response = post("grant_type=password&username=reader&password=reader-pw&service=berth"
                + "&client_id=docker&access_type=offline&" + scope("repository:team/app:pull"));
        HttpResponse<byte[]> wrong = post("grant_type=password&username=reader&password=nope&service=berth");
        HttpResponse<byte[]> unsupported = post("grant_type=client_credentials&service=berth");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertThat(claims(json(response).path("access_token").asText())).containsEntry("sub", "reader");
        assertThat(json(response).path("refresh_token").asText()).isNotEmpty();
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(unsupported.statusCode()).isEqualTo(401);
    }

    @Test
    void aRobotGetsTokensWithItsOwnPolicies() throws Exception {
        String robot = basic("robot$ci", "s3cr3t-robot-token");
        HttpResponse<byte[]> response = get(scope("repository:team/ci/app:pull,push") + "&"
                + scope("repository:team/app:pull"), robot);

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> claims = claims(json(response).path("token").asText());
        assertThat(claims).containsEntry("sub", "robot$ci");
        assertThat(claims.get("access")).isEqualTo(List.of(
                Map.of("type", "repository", "name", "team/ci/app", "actions", List.of("pull", "push"))));
        assertThat(get(scope("repository:team/ci/app:pull"), basic("robot$ci", "wrong")).statusCode()).isEqualTo(401);
        assertThat(get(scope("repository:team/ci/app:pull"), basic("ci", "s3cr3t-robot-token")).statusCode())
                .as("a robot logs in as robot$<name>").isEqualTo(401);
        // and with its token as a password, directly
        assertThat(http.pushImage("team/ci/app", "v1", robot)).isNotEmpty();
        assertThat(http.get("/v2/team/app/tags/list", robot).statusCode()).isEqualTo(403);
    }

    @Test
    void theSigningKeyIsGeneratedOnceWithOwnerOnlyPermissions() throws Exception {
        Path key = dir.resolve("data/token-key.jwk");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        ECKey parsed = AuthSetup.serverKey(dir.resolve("data"));
        assertThat(parsed.isPrivate()).isTrue();
        assertThat(JWKSet.parse(text(http.get("/token/jwks", null))).getKeys()).extracting(k -> k.getKeyID())
                .containsExactly(parsed.getKeyID());
    }

    @Test
    void otherMethodsAreNotSupported() {
        assertThat(http.send("DELETE", "/token", null, null).statusCode()).isEqualTo(405);
        assertThat(http.get("/token/other", null).statusCode()).isEqualTo(404);
    }

    @Test
    void anIssuedTokenExpiresAfterItsLifetime() throws Exception {
        String token = http.token(WRITER, "repository:team/app:pull");
        Date expires = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
        assertThat(expires.toInstant()).isBetween(java.time.Instant.now().plusSeconds(240), java.time.Instant.now().plusSeconds(301));
    }
}
