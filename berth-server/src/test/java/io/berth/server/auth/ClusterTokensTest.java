package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.json;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes sharing a PostgreSQL database share the token service: a token issued by one node is accepted by another
 * (the signing key is the database's), a sign-out on one node refuses the subject's tokens on the others within a
 * second, and a node given a signing key file that differs from a live node's refuses to start with one line naming
 * {@code auth.token.key}. Each node has a data directory of its own here: nothing of the token service lives there.
 */
class ClusterTokensTest {
    private static final String PULL = "repository:team/app:pull";

    @TempDir
    Path dir;

    private UnaryOperator<BerthConfig> node(TestDatabases.PostgresSchema schema, Optional<Path> key) {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("team/**", List.of("alice"), "pull", "push")))
                .withRateLimit(new AuthConfig.RateLimit(1000, Duration.ofMinutes(1), Duration.ofMinutes(1)));
        AuthConfig.Token token = auth.token();
        AuthConfig withKey = auth.withToken(new AuthConfig.Token(token.issuer(), token.service(), token.realm(),
                token.ttl(), token.refreshTtl(), key));
        return c -> c.withDatabase(schema.config()).withAuth(withKey);
    }

    @Test
    void aTokenIssuedByOneNodeIsAcceptedByAnotherAndASignOutHoldsOnAll() throws Exception {
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture a = BerthFixture.start(dir.resolve("a"), node(schema, Optional.empty()));
             BerthFixture b = BerthFixture.start(dir.resolve("b"), node(schema, Optional.empty()))) {
            AuthHttp onA = new AuthHttp(a.baseUri());
            AuthHttp onB = new AuthHttp(b.baseUri());
            onA.pushImage("team/app", "v1", basic("alice", "alice-pw"));

            String token = onA.token(basic("alice", "alice-pw"), PULL);
            assertThat(onB.get("/v2/team/app/tags/list", bearer(token)).statusCode()).isEqualTo(200);
            assertThat(text(onA.get("/token/jwks", null))).isEqualTo(text(onB.get("/token/jwks", null)));

            HttpResponse<byte[]> refresh = onB.get("/token?service=berth&offline_token=true&scope=" + PULL,
                    basic("alice", "alice-pw"));
            String refreshToken = json(refresh).path("refresh_token").asText();
            HttpResponse<byte[]> revoked = onA.send("POST", "/token/revoke",
                    ("token=" + refreshToken).getBytes(StandardCharsets.UTF_8), null,
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(revoked.statusCode()).as(text(revoked)).isEqualTo(200);
            long start = System.nanoTime();
            while (onB.get("/v2/team/app/tags/list", bearer(token)).statusCode() != 401
                    && System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
                Thread.sleep(10);
            }
            assertThat(onB.get("/v2/team/app/tags/list", bearer(token)).statusCode()).isEqualTo(401);
            assertThat(System.nanoTime() - start).as("nanoseconds until the other node refused the signed-out token")
                    .isLessThanOrEqualTo(Duration.ofSeconds(1).toNanos());
        }
    }

    @Test
    void aNodeWithAnotherKeyFileThanALiveNodeRefusesToStart() throws Exception {
        Path first = dir.resolve("first.jwk");
        Path second = dir.resolve("second.jwk");
        TokenKeys.loadOrCreate(first);
        TokenKeys.loadOrCreate(second);
        try (TestDatabases.PostgresSchema schema = TestDatabases.postgresSchema();
             BerthFixture a = BerthFixture.start(dir.resolve("a"), node(schema, Optional.of(first)))) {
            assertThatThrownBy(() -> BerthFixture.start(dir.resolve("b"), node(schema, Optional.of(second))).close())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("auth.token.key").hasMessageContaining("give every node the same");
            Files.copy(first, dir.resolve("copy.jwk"));
            try (BerthFixture b = BerthFixture.start(dir.resolve("b"), node(schema, Optional.of(dir.resolve("copy.jwk"))))) {
                AuthHttp onB = new AuthHttp(b.baseUri());
                String token = new AuthHttp(a.baseUri()).token(basic("alice", "alice-pw"), PULL);
                assertThat(onB.get("/v2/team/app/tags/list", bearer(token)).statusCode()).isIn(200, 404);
            }
        }
    }
}
