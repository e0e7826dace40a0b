package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.json;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.anonymous;
import static io.berth.server.auth.AuthSetup.users;
import static io.berth.server.auth.ReloadAndRateLimitTest.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens end with the account they were issued to: a refresh token when the password changes or the robot's token
 * is rotated, an access token when the user is removed. Tokens Berth hands to holders that are not accounts
 * (scanners) and anonymous tokens are not affected.
 */
class TokenRevocationTest {
    @TempDir
    Path dir;

    private static AuthConfig auth(Path htpasswd, String robotToken) {
        return AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("team/**", List.of("alice", "bob"), "pull", "push"),
                        users("open/**", List.of("alice"), "pull", "push"), anonymous("open/**", "pull")))
                .withRobots(List.of(AuthSetup.robot("ci", robotToken, users("team/**", List.of(), "pull"))))
                .withRateLimit(new AuthConfig.RateLimit(1000, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    }

    /** {@code GET /token} with {@code offline_token=true}: the refresh token. */
    private static String refreshToken(AuthHttp http, String auth) {
        HttpResponse<byte[]> response = http.get("/token?service=berth&offline_token=true&scope=repository:team/app:pull", auth);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        return json(response).path("refresh_token").asText();
    }

    private static HttpResponse<byte[]> refresh(AuthHttp http, String refreshToken) {
        return http.get("/token?service=berth&scope=repository:team/app:pull&refresh_token=" + refreshToken, null);
    }

    @Test
    void aRefreshTokenStopsWorkingWhenThePasswordChanges() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "old-pw", "bob", "bob-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth(htpasswd, "robot-1")))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            String alices = refreshToken(http, basic("alice", "old-pw"));
            String bobs = refreshToken(http, basic("bob", "bob-pw"));
            assertThat(refresh(http, alices).statusCode()).isEqualTo(200);

            AuthSetup.htpasswd(htpasswd, "alice", "new-pw", "bob", "bob-pw");
            awaitStatus(() -> http.get("/v2/", basic("alice", "new-pw")).statusCode(), 200);

            HttpResponse<byte[]> refused = refresh(http, alices);
            assertThat(refused.statusCode()).as(text(refused)).isEqualTo(401);
            assertThat(text(refused)).contains("changed since the refresh token was issued");
            assertThat(refresh(http, refreshToken(http, basic("alice", "new-pw"))).statusCode()).isEqualTo(200);
            // bob's entry was written again with a new salt: his refresh token ends too, like any credential change
            assertThat(refresh(http, bobs).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aRobotsRefreshTokenStopsWorkingWhenItsTokenIsRotated() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        String refreshToken;
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth(htpasswd, "robot-1")))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            refreshToken = refreshToken(http, basic("robot$ci", "robot-1"));
            assertThat(refresh(http, refreshToken).statusCode()).isEqualTo(200);
        }
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth(htpasswd, "robot-2")))) {
            AuthHttp http = new AuthHttp(registry.baseUri());

            assertThat(refresh(http, refreshToken).statusCode()).as("same signing key, rotated robot token").isEqualTo(401);
            assertThat(refresh(http, refreshToken(http, basic("robot$ci", "robot-2"))).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anAccessTokenOfARemovedUserIsRefusedWhileHolderAndAnonymousTokensWork() throws Exception {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth(htpasswd, "robot-1")))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            http.pushImage("team/app", "v1", basic("alice", "alice-pw"));
            http.pushImage("open/app", "v1", basic("alice", "alice-pw"));
            String alices = http.token(basic("alice", "alice-pw"), "repository:team/app:pull");
            String anonymousToken = http.token(null, "repository:open/app:pull");
            Instant now = Instant.now();
            String scanners = AuthSetup.sign(AuthSetup.serverKey(dir.resolve("data")),
                    AuthSetup.claims("scanner/trivy", now, now.plusSeconds(300), "team/app", "pull")
                            .claim(TokenIssuer.SUBJECT_KIND, TokenIssuer.EXTERNAL).build());
            assertThat(http.get("/v2/team/app/tags/list", bearer(alices)).statusCode()).isEqualTo(200);

            AuthSetup.htpasswd(htpasswd, "bob", "bob-pw");
            awaitStatus(() -> http.get("/v2/", basic("alice", "alice-pw")).statusCode(), 401);

            HttpResponse<byte[]> refused = http.get("/v2/team/app/tags/list", bearer(alices));
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
            assertThat(http.get("/v2/team/app/tags/list", bearer(scanners)).statusCode()).as("a scanner's pull token")
                    .isEqualTo(200);
            assertThat(http.get("/v2/open/app/tags/list", bearer(anonymousToken)).statusCode()).isEqualTo(200);
            JsonNode tags = json(http.get("/v2/team/app/tags/list", bearer(http.token(basic("bob", "bob-pw"),
                    "repository:team/app:pull"))));
            assertThat(tags.path("tags").get(0).asText()).isEqualTo("v1");
        }
    }
}
