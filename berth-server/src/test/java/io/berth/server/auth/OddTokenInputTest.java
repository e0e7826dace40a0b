package io.berth.server.auth;

import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.berth.server.auth.TokenService.TokenReply;
import io.berth.server.auth.TokenService.TokenRequest;
import io.berth.server.auth.AuthConfig;
import io.berth.server.config.BerthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scope parsing and the token service answer anything, however odd, without throwing. */
class OddTokenInputTest {
    static final List<String> ODD = Arrays.asList(null, "", " ", "%zz", "%", "scope=%zz", ":", "::", ":::", "a:b",
            "repository:", "repository::", "repository::pull", "repository:team/app:", "repository:team/app:,,,",
            "repository:TEAM/App:pull", "repository:team/app:pull:push", "repository:a:b:c:pull", "registry:catalog:",
            "registry:catalog:pull", "registry::*", "repository:team//app:pull", "repository:/team:pull",
            "repository:team/app:\u0000pull", "repository:team\napp:pull", "repository:ünïcode:pull", "\u2028",
            "repository:" + "a".repeat(100_000) + ":pull", "repository:" + "a-".repeat(5_000) + "!:pull",
            "repository:team/app:pull\trepository:team/other:push", "*", "*:*:*", "repository:team/app:*");

    @TempDir
    Path dir;

    @Test
    void scopeParsingNeverThrows() {
        for (String odd : ODD) {
            assertThatCode(() -> Scope.parseAll(Arrays.asList(odd))).as("%s", odd).doesNotThrowAnyException();
            assertThatCode(() -> Scope.parse(odd)).as("%s", odd).doesNotThrowAnyException();
        }
        assertThat(Scope.parseAll(null)).isEmpty();
        assertThat(Scope.parseAll(Arrays.asList("%zz", null, "repository:team/app:pull"))).hasSize(1);
        assertThat(Scope.parseAll(List.of("repository:team/app:pull\trepository:team/other:push"))).hasSize(2);
        assertThat(Scope.parse("repository:" + "a".repeat(100_000) + ":pull")).isEmpty();
    }

    @Test
    void theTokenServiceAnswersEveryOddRequest() {
        Vertx vertx = Vertx.vertx();
        WorkerExecutor workers = vertx.createSharedWorkerExecutor("odd-input-test", 1);
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "alice", "alice-pw");
        BerthConfig config = BerthConfig.defaults(dir.resolve("data")).withAuth(AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("team/**", List.of("alice"), "pull")))
                .withRateLimit(new AuthConfig.RateLimit(100_000, Duration.ofMinutes(1), Duration.ofMinutes(1))));
        List<Optional<String>> authorizations = new ArrayList<>(List.of(Optional.empty(), Optional.of(""),
                Optional.of("Basic"), Optional.of("Basic %zz"), Optional.of("Basic " + b64(":")), Optional.of("Basic " + b64("\n:\n")),
                Optional.of("Bearer"), Optional.of("Bearer %zz"), Optional.of("Bearer a.b.c"), Optional.of("Digest x"),
                Optional.of("Basic " + b64("alice:alice-pw"))));
        authorizations.add(null);
        try (Security security = Security.start(config.auth(), config.dataDir(), vertx, workers)) {
            TokenService tokens = security.tokens().orElseThrow();
            for (Optional<String> authorization : authorizations) {
                for (String odd : ODD) {
                    for (boolean post : new boolean[] {false, true}) {
                        Map<String, List<String>> parameters = new HashMap<>();
                        for (String name : List.of("scope", "grant_type", "refresh_token", "offline_token", "access_type",
                                "username", "password", "token")) {
                            parameters.put(name, Arrays.asList(odd, odd));
                        }
                        TokenRequest request = new TokenRequest(authorization, null, post, parameters);
                        assertThatCode(() -> answered(tokens.issue(request))).as("%s %s", authorization, odd)
                                .doesNotThrowAnyException();
                        assertThatCode(() -> answered(tokens.revoke(request))).as("%s %s", authorization, odd)
                                .doesNotThrowAnyException();
                    }
                }
                assertThatCode(() -> answered(tokens.issue(new TokenRequest(authorization, "10.0.0.1", false, null))))
                        .doesNotThrowAnyException();
            }
        } finally {
            workers.close();
            vertx.close();
        }
    }

    private static void answered(TokenReply reply) {
        assertThat(reply.json() != null || reply.refusal() != null).isTrue();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
