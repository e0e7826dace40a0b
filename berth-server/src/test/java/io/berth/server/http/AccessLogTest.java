package io.berth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.auth.AuthConfig;
import io.berth.server.log.LogConfig;
import io.berth.server.testing.BerthFixture;
import io.berth.server.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log of a real server: one line per answered request on standard output with the time, client,
 * user, method, path, status, bytes, route, request bytes, duration and request id, in Apache's combined format or
 * as JSON; text from the client escaped so that it cannot forge a line or a field; nothing with {@code log.access}
 * off. The server writes to the {@code System.out} of its start, which the test captures.
 */
class AccessLogTest {
    /** A user agent that tries to end its quoted field and forge the rest: a quote, a tab, a backslash, NEL (0x85). */
    private static final String HOSTILE_AGENT = "evil\" 200 0 \"-\" \"forged\t\\\u0085";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void textLinesAreApacheCombinedWithBerthsFields() throws Exception {
        List<String> lines = logged(c -> c.withAuth(alice()).withLog(LogConfig.DEFAULT), registry -> {
            send(registry, "GET", "/v2/", "Authorization", basicAlice(), "X-Request-Id", "req-42",
                    "User-Agent", "skopeo/1.18", "Referer", "http://example.com/");
            send(registry, "GET", "/v2/", "User-Agent", "curl/8");
            send(registry, "PUT", "/v2/team/app/manifests/v1", "Authorization", basicAlice(), "User-Agent", "x");
            RawHttp.exchange(registry.port(), RawHttp.request("GET", "/v2/a\"b\u0085c", null,
                    "User-Agent", HOSTILE_AGENT));
        }, 4);

        assertThat(lines.get(0)).matches("127\\.0\\.0\\.1 - alice \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] "
                + "\"GET /v2/ HTTP/1\\.1\" 200 2 \"http://example\\.com/\" \"skopeo/1\\.18\" route=\"/v2/\" in=0 "
                + "ms=\\d+\\.\\d{3} id=req-42");
        assertThat(lines.get(1)).as("anonymous, refused: the error's id is logged")
                .matches("127\\.0\\.0\\.1 - - \\[.*] \"GET /v2/ HTTP/1\\.1\" 401 \\d+ \"-\" \"curl/8\" route=\"/v2/\" in=0 "
                        + "ms=\\d+\\.\\d{3} id=[0-9a-f-]{36}");
        assertThat(lines.get(2)).as("a manifest that is no manifest: its body is counted in")
                .matches(".* - alice .* \"PUT /v2/team/app/manifests/v1 HTTP/1\\.1\" 4\\d\\d \\d+ \"-\" \"x\" "
                        + "route=\"/v2/\\{name}/manifests/\\{reference}\" in=0 ms=.*");
        assertThat(lines.get(3)).as("hostile path and user agent, escaped; no route matched")
                .contains("\"GET /v2/a\\\"b\\u0085c HTTP/1.1\" 404 ")
                .contains("\"evil\\\" 200 0 \\\"-\\\" \\\"forged\\t\\\\\\u0085\" route=\"-\"");
    }

    @Test
    void jsonLinesParseWithEveryField() throws Exception {
        List<String> lines = logged(c -> c.withAuth(alice()).withLog(new LogConfig(LogConfig.Level.INFO,
                LogConfig.Format.JSON, true)), registry -> {
            send(registry, "POST", "/v2/team/app/blobs/uploads/", "Authorization", basicAlice(), "X-Request-Id", "up-1");
            RawHttp.exchange(registry.port(), RawHttp.request("GET", "/v2/a\"b\u0085c", null,
                    "User-Agent", HOSTILE_AGENT));
        }, 2);
        ObjectMapper json = new ObjectMapper();
        JsonNode upload = json.readTree(lines.get(0));
        assertThat(Instant.parse(upload.path("time").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(upload.path("client").asText()).isEqualTo("127.0.0.1");
        assertThat(upload.path("user").asText()).isEqualTo("alice");
        assertThat(upload.path("method").asText()).isEqualTo("POST");
        assertThat(upload.path("path").asText()).isEqualTo("/v2/team/app/blobs/uploads/");
        assertThat(upload.path("route").asText()).isEqualTo("/v2/{name}/blobs/uploads/");
        assertThat(upload.path("status").asInt()).isEqualTo(202);
        assertThat(upload.path("bytesIn").asLong()).isZero();
        assertThat(upload.path("bytesOut").isNumber()).isTrue();
        assertThat(upload.path("durationMs").isNumber()).isTrue();
        assertThat(upload.path("requestId").asText()).isEqualTo("up-1");
        assertThat(upload.path("protocol").asText()).isEqualTo("HTTP/1.1");

        JsonNode hostile = json.readTree(lines.get(1));
        assertThat(hostile.path("user").isNull()).isTrue();
        assertThat(hostile.path("route").isNull()).isTrue();
        assertThat(hostile.path("status").asInt()).isEqualTo(404);
        assertThat(hostile.path("path").asText()).isEqualTo("/v2/a\"b\\u0085c");
        assertThat(hostile.path("userAgent").asText()).isEqualTo("evil\" 200 0 \"-\" \"forged\\t\\\\\\u0085");
    }

    @Test
    void noLinesWithTheAccessLogOff() throws Exception {
        List<String> lines = logged(c -> c.withLog(new LogConfig(LogConfig.Level.INFO, LogConfig.Format.TEXT, false)),
                registry -> send(registry, "GET", "/v2/"), 0);
        assertThat(lines).isEmpty();
    }

    /** Runs {@code requests} against a fresh server and returns the access lines' messages, waiting for {@code expected}. */
    private List<String> logged(UnaryOperator<io.berth.server.config.BerthConfig> config, Requests requests, int expected)
            throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (BerthFixture registry = BerthFixture.start(dir.resolve("data"), config)) {
            requests.send(registry);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
            while (accessLines(captured).size() < expected && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            Thread.sleep(expected == 0 ? 300 : 0);
        } finally {
            System.setOut(original);
        }
        original.print(captured.toString(StandardCharsets.UTF_8));
        List<String> lines = accessLines(captured);
        assertThat(lines).hasSize(expected);
        return lines;
    }

    private static List<String> accessLines(ByteArrayOutputStream captured) {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @FunctionalInterface
    private interface Requests {
        void send(BerthFixture registry) throws Exception;
    }

    private AuthConfig alice() {
        try {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, "alice:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4,
                    "alice-pw".toCharArray()) + "\n");
            return AuthConfig.NONE.withHtpasswd(htpasswd);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String basicAlice() {
        return "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes(StandardCharsets.UTF_8));
    }

    private static void send(BerthFixture registry, String method, String target, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(registry.baseUri().resolve(target))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }
}
