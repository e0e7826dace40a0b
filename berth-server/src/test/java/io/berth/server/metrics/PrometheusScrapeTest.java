package io.berth.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.auth.AuthConfig;
import io.berth.server.testing.BerthFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}) scrapes Berth with the configuration docs/operations.md shows: the
 * robot made for scraping, by basic auth with a password file. Its target is up and its series are queryable; and
 * {@code promtool check metrics} finds nothing to say of Berth's own metric names (Micrometer's JVM binders name two
 * meters in ways its linter dislikes, which is theirs). Skipped where Prometheus is not installed, except in CI
 * ({@code CI=true}, where .ci/run installs it), where that fails.
 */
class PrometheusScrapeTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void prometheusScrapesWithTheRobotsTokenAndItsLinterPassesBerthsNames() throws Exception {
        boolean present = Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
        if ("true".equals(System.getenv("CI"))) {
            assertThat(present).as("prometheus is installed (apt-get install prometheus)").isTrue();
        }
        assumeTrue(present, "no " + PROMETHEUS + " (apt-get install prometheus)");

        String token = "scrape-" + Long.toHexString(System.nanoTime());
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "admin:" + bcrypt("admin-pw") + "\n");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd)
                .withRobots(List.of(new AuthConfig.Robot("prometheus", bcrypt(token), List.of(), true)));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), c -> c.withAuth(auth))) {
            Path tokenFile = dir.resolve("berth-token");
            Files.writeString(tokenFile, token);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: berth
                        scheme: http
                        metrics_path: /metrics
                        basic_auth:
                          username: robot$prometheus
                          password_file: %s
                        static_configs:
                          - targets: ["%s"]
                    """.formatted(tokenFile, registry.hostPort()));
            assertThat(run(dir.resolve("promtool-config.log"), PROMTOOL.toString(), "check", "config", config.toString()))
                    .as("promtool check config").isZero();

            int port = freePort();
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                MetricsHttp berth = new MetricsHttp(registry.baseUri());
                assertThat(berth.send("GET", "/v2/", null).statusCode()).isEqualTo(401);
                URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=");
                JsonNode up = await(api, "up{job=\"berth\"}", result -> result.size() == 1
                        && result.get(0).at("/value/1").asText().equals("1"));
                assertThat(up.get(0).at("/value/1").asText()).as(Files.readString(dir.resolve("prometheus.log")))
                        .isEqualTo("1");
                JsonNode refused = await(api, "berth_http_server_requests_seconds_count{route=\"/v2/\",status=\"401\"}",
                        result -> result.size() == 1);
                assertThat(refused.get(0).at("/metric/method").asText()).isEqualTo("GET");
                assertThat(await(api, "hikaricp_connections_max{pool=\"berth-metadata\"}", result -> result.size() == 1))
                        .hasSize(1);
                // every query of the Grafana dashboard is PromQL that Prometheus accepts (Grafana's variables filled in)
                JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "docs", "grafana", "berth-dashboard.json")
                        .toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String expr = target.path("expr").asText().replace("$job", ".*").replace("$__rate_interval", "1m");
                        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(api
                                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(answer.statusCode()).as("%s: %s", expr, answer.body()).isEqualTo(200);
                    }
                }
            } finally {
                prometheus.destroy();
                prometheus.waitFor(20, TimeUnit.SECONDS);
            }

            String scraped = MetricsHttp.text(new MetricsHttp(registry.baseUri()).send("GET", "/metrics", null,
                    "Authorization", "Basic " + Base64.getEncoder().encodeToString(("robot$prometheus:" + token)
                            .getBytes(StandardCharsets.UTF_8))));
            Path metrics = dir.resolve("metrics.txt");
            Files.writeString(metrics, scraped);
            Path lint = dir.resolve("promtool-metrics.log");
            Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(metrics.toFile())
                    .redirectErrorStream(true).redirectOutput(lint.toFile()).start();
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> findings = Files.readAllLines(lint);
            assertThat(findings).as("every finding names a metric: the text parsed")
                    .allMatch(line -> line.matches("[a-z_:][a-z0-9_:]* .*"));
            assertThat(findings).as("Berth's own names are clean").noneMatch(line -> line.startsWith("berth_"));
        }
    }

    /** Polls an instant query until {@code done} holds for its result vector (20 s at most); returns the last result. */
    private static JsonNode await(URI api, String query, java.util.function.Predicate<JsonNode> done) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        JsonNode result = new ObjectMapper().createArrayNode();
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api
                        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    result = new ObjectMapper().readTree(response.body()).at("/data/result");
                    if (done.test(result)) {
                        return result;
                    }
                }
            } catch (java.io.IOException notYet) {
                // Prometheus is still starting
            }
            Thread.sleep(250);
        }
        return result;
    }

    private static int run(Path log, String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String bcrypt(String secret) {
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, secret.toCharArray());
    }
}
