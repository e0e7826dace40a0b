package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.oci.ErrorCode;
import io.berth.server.auth.TokenService.TokenReply;
import io.berth.server.auth.TokenService.TokenRequest;
import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing out ({@link TokenService#revoke}, the logic of a {@code POST /token/revoke} the router binds, and the
 * administrators' {@link TokenService#revokeAll}) refuses every earlier token of the subject, also after a restart;
 * tokens issued afterwards work. Driven through {@link Security} as the server builds it.
 */
class SignOutTest {
    static final String PULL = "repository:team/app:pull";

    @TempDir
    Path dir;
    Vertx vertx;
    WorkerExecutor workers;
    BerthConfig config;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        workers = vertx.createSharedWorkerExecutor("sign-out-test", 2);
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw", "bob", "bob-pw");
        config = BerthConfig.defaults(dir.resolve("data")).withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("team/**", List.of("alice", "bob"), "pull")))
                .withRateLimit(new AuthConfig.RateLimit(1000, Duration.ofMinutes(1), Duration.ofMinutes(1))));
    }

    @AfterEach
    void stop() {
        workers.close();
        vertx.close();
    }

    /** The access and refresh tokens a basic login gets. */
    static JsonNode login(Security security, String user, String password) throws Exception {
        TokenReply reply = security.tokens().orElseThrow().issue(new TokenRequest(Optional.of(basic(user, password)),
                "10.0.0.1", false, Map.of("scope", List.of(PULL), "offline_token", List.of("true"))));
        assertThat(reply.issued()).isTrue();
        return AuthHttp.JSON.readTree(reply.json());
    }

    static boolean refreshes(Security security, String refreshToken) {
        return security.tokens().orElseThrow().issue(new TokenRequest(Optional.empty(), "10.0.0.1", false,
                Map.of("refresh_token", List.of(refreshToken), "scope", List.of(PULL)))).issued();
    }

    static boolean pulls(Security security, String accessToken) throws Exception {
        Decision decision = security.access().authorize(new AccessRequest(Optional.of("Bearer " + accessToken),
                "10.0.0.1", () -> "http://127.0.0.1", Scope.parseAll(List.of(PULL)), () -> "test")).toCompletionStage().toCompletableFuture().get();
        return decision instanceof Decision.Grant;
    }

    static TokenReply revoke(Security security, Optional<String> authorization, Map<String, List<String>> form) {
        return security.tokens().orElseThrow().revoke(new TokenRequest(authorization, "10.0.0.1", true, form));
    }

    @Test
    void revokingARefreshTokenSignsItsSubjectOutEverywhereAndOnlyItsSubject() throws Exception {
        try (Security security = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            JsonNode alice = login(security, "alice", "alice-pw");
            JsonNode otherSession = login(security, "alice", "alice-pw");
            JsonNode bob = login(security, "bob", "bob-pw");
            assertThat(pulls(security, alice.path("token").asText())).isTrue();

            TokenReply revoked = revoke(security, Optional.empty(), Map.of("token", List.of(alice.path("refresh_token").asText())));

            assertThat(revoked.issued()).isTrue();
            assertThat(new String(revoked.json())).isEqualTo("{}");
            assertThat(pulls(security, alice.path("token").asText())).isFalse();
            assertThat(refreshes(security, alice.path("refresh_token").asText())).isFalse();
            assertThat(refreshes(security, otherSession.path("refresh_token").asText())).isFalse();
            assertThat(pulls(security, bob.path("token").asText())).isTrue();
            assertThat(refreshes(security, bob.path("refresh_token").asText())).isTrue();
            JsonNode again = login(security, "alice", "alice-pw");
            assertThat(pulls(security, again.path("token").asText())).as("a login after signing out").isTrue();
            assertThat(refreshes(security, again.path("refresh_token").asText())).isTrue();
        }
    }

    @Test
    void revocationsSurviveARestart() throws Exception {
        JsonNode alice;
        try (Security security = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            alice = login(security, "alice", "alice-pw");
            assertThat(revoke(security, Optional.of(basic("alice", "alice-pw")), Map.of()).issued()).isTrue();
        }
        assertThat(Files.exists(config.dataDir().resolve(Security.REVOCATIONS_FILE))).isTrue();
        try (Security restarted = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            assertThat(pulls(restarted, alice.path("token").asText())).isFalse();
            assertThat(refreshes(restarted, alice.path("refresh_token").asText())).isFalse();
        }
    }

    @Test
    void administratorsRevokeEveryTokenOfANamedAccount() throws Exception {
        try (Security security = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            JsonNode bob = login(security, "bob", "bob-pw");
            JsonNode alice = login(security, "alice", "alice-pw");

            security.tokens().orElseThrow().revokeAll("bob", "admin");

            assertThat(pulls(security, bob.path("token").asText())).isFalse();
            assertThat(refreshes(security, bob.path("refresh_token").asText())).isFalse();
            assertThat(pulls(security, alice.path("token").asText())).isTrue();
        }
    }

    @Test
    void wrongCredentialsOrAnInvalidBearerCannotSignAnyoneOutAndAnInvalidTokenParameterIsIgnored() throws Exception {
        try (Security security = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            JsonNode alice = login(security, "alice", "alice-pw");

            TokenReply wrong = revoke(security, Optional.of(basic("alice", "wrong")), Map.of());
            TokenReply tampered = revoke(security, Optional.of("Bearer " + AuthSetup.tampered(alice.path("token").asText())),
                    Map.of());
            TokenReply ignored = revoke(security, Optional.empty(), Map.of("token", List.of("not-a-token")));
            TokenReply nobody = revoke(security, Optional.empty(), Map.of());

            assertThat(wrong.refusal().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(tampered.refusal().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(ignored.issued()).as("RFC 7009: 200 for an invalid token").isTrue();
            assertThat(nobody.refusal().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(pulls(security, alice.path("token").asText())).isTrue();
        }
    }
}
