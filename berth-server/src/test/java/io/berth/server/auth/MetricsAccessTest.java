package io.berth.server.auth;

import static io.berth.server.auth.AuthHttp.basic;
import static io.berth.server.auth.AuthHttp.bearer;
import static io.berth.server.auth.AuthHttp.text;
import static io.berth.server.auth.AuthSetup.users;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.config.ConfigLoader;
import io.berth.server.startup.ConfigException;
import io.berth.server.testing.BerthFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may scrape {@code GET /metrics} with authorization on: the registry's admins, and a robot configured with
 * {@code metrics: true} — by basic credentials, as Prometheus's {@code basic_auth} sends them, or with a token for
 * {@code registry:metrics:*}. Anonymous callers get 401 with a challenge for that scope; other users and robots 403.
 * The scraping robot may do nothing else.
 */
class MetricsAccessTest {
    @TempDir
    Path dir;

    @Test
    void adminsAndTheScrapingRobotMayScrapeAndNobodyElse() {
        Path htpasswd = AuthSetup.htpasswd(dir.resolve("htpasswd"), "admin", "admin-pw", "reader", "reader-pw");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withPolicies(List.of(users("**", List.of("admin"), "*"), users("**", List.of("reader"), "pull")))
                .withRobots(List.of(
                        new AuthConfig.Robot("prometheus", AuthSetup.bcrypt("scrape-token"), List.of(), true),
                        AuthSetup.robot("ci", "ci-token", users("**", List.of(), "pull", "push"))));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            AuthHttp http = new AuthHttp(registry.baseUri());
            http.pushImage("team/app", "v1", basic("admin", "admin-pw"));

            HttpResponse<byte[]> anonymous = http.get("/metrics", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .contains("scope=\"registry:metrics:*\"");
            assertThat(text(anonymous)).doesNotContain("berth_");
            assertThat(http.get("/metrics", basic("reader", "reader-pw")).statusCode()).isEqualTo(403);
            assertThat(http.get("/metrics", basic("robot$ci", "ci-token")).statusCode()).isEqualTo(403);
            assertThat(http.get("/metrics", basic("robot$prometheus", "wrong")).statusCode()).isEqualTo(401);

            HttpResponse<byte[]> admin = http.get("/metrics", basic("admin", "admin-pw"));
            assertThat(admin.statusCode()).isEqualTo(200);
            assertThat(text(admin)).contains("berth_http_server_requests_seconds_count{");
            HttpResponse<byte[]> robot = http.get("/metrics", basic("robot$prometheus", "scrape-token"));
            assertThat(robot.statusCode()).isEqualTo(200);
            assertThat(text(robot)).contains("route=\"/v2/{name}/manifests/{reference}\"")
                    .as("refusals are counted with their status").contains("status=\"401\"", "status=\"403\"");

            String token = http.token(basic("robot$prometheus", "scrape-token"), "registry:metrics:*");
            assertThat(http.get("/metrics", bearer(token)).statusCode()).isEqualTo(200);
            String readerToken = http.token(basic("reader", "reader-pw"), "registry:metrics:*");
            assertThat(http.get("/metrics", bearer(readerToken)).statusCode()).as("not granted to the reader")
                    .isEqualTo(403);

            // the scraper's credential opens nothing else
            assertThat(http.get("/v2/team/app/tags/list", basic("robot$prometheus", "scrape-token")).statusCode())
                    .isEqualTo(403);
            assertThat(http.get("/api/v1/events/endpoints", basic("robot$prometheus", "scrape-token")).statusCode())
                    .isEqualTo(403);
        }
    }

    /** Without authorization every route is open, /metrics too (the registry listens on loopback by default). */
    @Test
    void withoutAuthorizationTheMetricsAreOpenLikeEveryRoute() {
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"))) {
            assertThat(new AuthHttp(registry.baseUri()).get("/metrics", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aScrapingRobotIsConfiguredWithMetricsTrueAndNeedsNoPolicies() throws Exception {
        Path config = dir.resolve("berth.yaml");
        String hash = AuthSetup.bcrypt("scrape-token");
        Files.writeString(config, """
                auth:
                  htpasswd: %s
                  robots:
                    - name: prometheus
                      tokenHash: "%s"
                      metrics: true
                    - name: idle
                      tokenHash: "%s"
                """.formatted(AuthSetup.htpasswd(dir.resolve("htpasswd"), "admin", "pw"), hash, hash));
        ConfigLoader.Flags flags = new ConfigLoader.Flags(Optional.empty(), Optional.of(dir.resolve("data")),
                Optional.of(config));
        try {
            ConfigLoader.load(flags, Map.of());
            throw new AssertionError("a robot granted nothing must be refused");
        } catch (ConfigException e) {
            assertThat(e.problems()).containsExactly(
                    "auth.robots[1].policies must grant the robot something (or metrics: true for a scraper)");
        }
        Files.writeString(config, Files.readString(config).replace("""
                    - name: idle
                      tokenHash: "%s"
                """.formatted(hash), ""));
        AuthConfig.Robot robot = ConfigLoader.load(flags, Map.of()).auth().robots().get(0);
        assertThat(robot.name()).isEqualTo("prometheus");
        assertThat(robot.metrics()).isTrue();
        assertThat(robot.policies()).isEmpty();
    }
}
