package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.config.BerthConfig;
import io.berth.server.startup.ConfigException;
import io.berth.server.config.ConfigLoader;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's files over plain HTTP: one shell for every page, assets from the jar with their content types,
 * caching (versioned immutable assets, revalidated shell), a strict Content-Security-Policy, nothing loaded from
 * elsewhere and no markup built from strings; and {@code ui.enabled=false} turns it all into 404s.
 */
class WebUiHttpTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/ui/[^\"]+)\"");

    @TempDir
    static Path dataDir;
    static BerthFixture registry;

    @BeforeAll
    static void start() {
        registry = BerthFixture.start(dataDir);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void everyPageAnswersTheSameShellWithAStrictContentSecurityPolicy() {
        HttpResponse<String> root = get("/");
        for (String page : List.of("/", "/types", "/storage", "/r/samples/image/hello-world", "/r/samples/image/hello-world:1.0",
                "/r/samples/image/hello-world@sha256:" + "0".repeat(64), "/r/no/such/repository")) {
            HttpResponse<String> response = get(page);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(header(response, "Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(response.body()).isEqualTo(root.body());
            assertThat(header(response, "Content-Security-Policy"))
                    .startsWith("default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self';")
                    .contains("object-src 'none'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(response, "Cache-Control")).isEqualTo("no-cache");
            assertThat(header(response, "ETag")).matches("\"[0-9a-f]{16}\"");
        }
        assertThat(root.body()).contains("<script type=\"module\" src=\"/ui/").doesNotContain("<style", " style=", "@VERSION@")
                .as("a registry without authorization: the UI shows the operators' pages to everyone")
                .contains("<meta name=\"berth-authorization\" content=\"off\">").doesNotContain("@AUTHORIZATION@");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(root.body()).find()).as("inline script").isFalse();
    }

    @Test
    void theShellRevalidatesWithItsETag() {
        HttpResponse<String> first = get("/");
        HttpResponse<String> again = get("/types", "If-None-Match", header(first, "ETag"));

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void assetsAreServedFromTheJarWithContentTypesAndVersionedImmutableCaching() {
        List<String> linked = linkedAssets();
        assertThat(linked).hasSizeGreaterThanOrEqualTo(WebUi.ASSETS.size());
        String version = linked.get(0).split("/")[2];
        assertThat(version).matches("[0-9a-f]{12}");
        Map<String, String> types = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
                "svg", "image/svg+xml");
        for (String asset : WebUi.ASSETS) {
            HttpResponse<String> versioned = get("/ui/" + version + "/" + asset);
            assertThat(versioned.statusCode()).as(asset).isEqualTo(200);
            assertThat(header(versioned, "Content-Type")).isEqualTo(types.get(asset.substring(asset.lastIndexOf('.') + 1)));
            assertThat(header(versioned, "Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            assertThat(header(versioned, "Content-Security-Policy")).startsWith("default-src 'self'");
            HttpResponse<String> plain = get("/ui/" + asset);
            assertThat(plain.body()).isEqualTo(versioned.body());
            assertThat(header(plain, "Cache-Control")).isEqualTo("no-cache");
            assertThat(get("/ui/" + asset, "If-None-Match", header(plain, "ETag")).statusCode()).isEqualTo(304);
        }
        HttpResponse<String> stale = get("/ui/0123456789ab/app.js");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(header(stale, "Cache-Control")).as("another build's version is not cached for good").isEqualTo("no-cache");
        assertThat(get("/ui/" + version + "/no-such-file.js").statusCode()).isEqualTo(404);
        assertThat(get("/ui/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(head("/ui/" + version + "/app.js").statusCode()).isEqualTo(200);
    }

    @Test
    void theUiIsReadOnly() throws Exception {
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(header(post, "Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void nothingComesFromElsewhereAndNoMarkupIsBuiltFromStrings() throws IOException {
        Path ui = Path.of("src/main/resources/ui");
        try (var files = Files.walk(ui)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all.stream().map(p -> ui.relativize(p).toString().replace('\\', '/')).filter(n -> !n.equals("index.html")))
                    .as("every file under ui/ is served").containsExactlyInAnyOrderElementsOf(WebUi.ASSETS);
            for (Path file : all) {
                String text = Files.readString(file);
                assertThat(text.replace("http://www.w3.org/2000/svg", ""))
                        .as(file + ": no CDN, no web fonts from elsewhere")
                        .doesNotContain("http://", "https://", "@import", "url(");
                if (file.toString().endsWith(".js")) {
                    assertThat(text).as(file + ": DOM built with DOM APIs only")
                            .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function");
                }
            }
        }
    }

    @Test
    void withTheUiTurnedOffItsPathsAnswer404AndTheApiStays() {
        try (BerthFixture off = BerthFixture.start(dataDir.resolve("off"), config -> config.withUiEnabled(false))) {
            for (String path : List.of("/", "/types", "/r/samples/image/hello-world", "/r/a:1", "/ui/app.js")) {
                assertThat(send(base(off) + path, "GET").statusCode()).as(path).isEqualTo(404);
            }
            assertThat(send(base(off) + "/api/v1/types", "GET").statusCode()).isEqualTo(200);
            assertThat(send(base(off) + "/v2/", "GET").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void uiEnabledComesFromTheConfigFileOrTheEnvironmentAndIsOnByDefault() throws IOException {
        ConfigLoader.Flags none = new ConfigLoader.Flags(Optional.empty(), Optional.of(dataDir), Optional.empty());
        assertThat(ConfigLoader.load(none, Map.of()).uiEnabled()).isTrue();
        assertThat(BerthConfig.defaults(dataDir).uiEnabled()).isTrue();
        assertThat(BerthConfig.defaults(dataDir).withUiEnabled(false).withListen("0.0.0.0", 1).uiEnabled()).isFalse();

        Path file = Files.writeString(dataDir.resolve("berth.yaml"), "ui:\n  enabled: false\n");
        ConfigLoader.Flags fromFile = new ConfigLoader.Flags(Optional.empty(), Optional.of(dataDir), Optional.of(file));
        assertThat(ConfigLoader.load(fromFile, Map.of()).uiEnabled()).isFalse();
        assertThat(ConfigLoader.load(fromFile, Map.of("BERTH_UI_ENABLED", "true")).uiEnabled()).isTrue();
        assertThat(ConfigLoader.load(none, Map.of("BERTH_UI_ENABLED", "off")).uiEnabled()).isFalse();
        try {
            ConfigLoader.load(none, Map.of("BERTH_UI_ENABLED", "maybe"));
            throw new AssertionError("a bad value is reported");
        } catch (ConfigException e) {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("ui.enabled", "BERTH_UI_ENABLED"));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static List<String> linkedAssets() {
        Matcher matcher = ASSET.matcher(get("/").body());
        List<String> assets = new java.util.ArrayList<>();
        while (matcher.find()) {
            assets.add(matcher.group(1));
        }
        return assets.stream().distinct().toList();
    }

    private static String base() {
        return base(registry);
    }

    private static String base(BerthFixture fixture) {
        return "http://" + fixture.hostPort();
    }

    private static HttpResponse<String> get(String path, String... headers) {
        return send(base() + path, "GET", headers);
    }

    private static HttpResponse<String> head(String path) {
        return send(base() + path, "HEAD");
    }

    private static HttpResponse<String> send(String uri, String method, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }
}
