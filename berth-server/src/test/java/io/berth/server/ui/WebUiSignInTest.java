package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.oci.Digest;
import io.berth.server.auth.AuthConfig;
import io.berth.server.auth.AuthConfig.Policy;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;

/**
 * Signing in to the web UI of a registry with authorization on: anonymous callers see what anonymous may pull; the
 * header's Sign in opens a form that asks the token endpoint for a catalog-scoped token (kept in sessionStorage only)
 * which then goes as a Bearer token with every listing request, so alice sees her team's repositories too; a wrong
 * password is an inline error; a token the registry no longer accepts is renewed or dropped with the form offered
 * again; signing out returns to the anonymous view. Also on a registry anonymous may not read at all, at phone width
 * and in dark mode. Screenshots under target/screenshots/signin-*.png and signed-in*.png.
 */
class WebUiSignInTest {
    private static final String ADMIN = basic("admin", "admin-pw");
    private static final List<String> PUBLIC = List.of("public/hello", "public/tools");
    private static final List<String> ALICE = List.of("public/hello", "public/tools", "team/app", "team/db");
    private static final String SESSION_KEY = "berth.session";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static BerthFixture registry;
    static Browser browser;

    @BeforeAll
    static void start() {
        registry = startRegistry(dir.resolve("open"), new Policy(List.of("public/**"), List.of(), List.of(), true, List.of("pull")));
        for (String repository : List.of("public/hello", "public/tools", "team/app", "team/db", "secret/vault")) {
            push(registry, repository, "1.0");
        }
        browser = Browser.start(base(registry));
    }

    /** admin may do everything, alice may pull team/**, and the extra policies. */
    private static BerthFixture startRegistry(Path root, Policy... more) {
        Path htpasswd = root.resolve("htpasswd");
        try {
            Files.createDirectories(root);
            Files.writeString(htpasswd, "admin:" + bcrypt("admin-pw") + "\nalice:" + bcrypt("alice-pw") + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Policy> policies = new java.util.ArrayList<>(List.of(
                new Policy(List.of("**"), List.of("admin"), List.of(), false, List.of("*")),
                new Policy(List.of("team/**"), List.of("alice"), List.of(), false, List.of("pull"))));
        policies.addAll(List.of(more));
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd).withPolicies(policies);
        return BerthFixture.start(root.resolve("data"), c -> c.withAuth(auth));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            registry.close();
        }
    }

    @BeforeEach
    void anonymousLightDesktop() {
        browser.viewport(1280, 900, false).colorScheme("light");
        browser.open("/");
        browser.script("sessionStorage.clear();");
        browser.open("/");
        browser.consoleErrors();
    }

    @Test
    void anonymousCallersSeeOnlyThePublicRepositoriesAndTheSignInControl() {
        assertThat(repositories()).isEqualTo(PUBLIC);
        WebElement signIn = browser.find("header .session .signin-button");
        assertThat(signIn.getText()).isEqualTo("Sign in");
        assertThat(signIn.getAttribute("aria-haspopup")).isEqualTo("dialog");
        assertThat(browser.all("#signin-dialog")).as("the form exists only while open").isEmpty();
        assertThat(stored()).isNull();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void signingInShowsTheAccountsRepositoriesAndSigningOutReturnsToTheAnonymousView() {
        browser.find(".signin-button").click();
        WebElement dialog = browser.find("#signin-dialog[open]");
        assertThat(activeId()).as("focus starts in the form").isEqualTo("signin-user");
        assertThat(dialog.getAttribute("aria-labelledby")).isEqualTo("signin-title");
        assertThat(browser.find("#signin-title").getText()).isEqualTo("Sign in to Berth");
        assertThat(browser.find("label[for=signin-user]").getText()).isEqualTo("User name");
        assertThat(browser.find("label[for=signin-password]").getText()).isEqualTo("Password");
        assertThat(browser.find("#signin-password").getAttribute("type")).isEqualTo("password");
        assertThat(browser.find("#signin-password").getAttribute("autocomplete")).isEqualTo("current-password");
        assertThat(browser.find("#signin-user").getAttribute("autocomplete")).isEqualTo("username");
        browser.screenshot("signin-form", 900);

        browser.find("#signin-user").sendKeys("alice");
        browser.find("#signin-password").sendKeys("alice-pw", Keys.ENTER);

        browser.waitUntil(d -> repositories().equals(ALICE));
        assertThat(browser.all("#signin-dialog")).isEmpty();
        assertThat(browser.find(".session .session-name").getText()).isEqualTo("alice");
        assertThat(browser.find(".session .session-user").getAttribute("textContent")).endsWith("Signed in as alice");
        assertThat(browser.find(".session .signout-button").getText()).isEqualTo("Sign out");
        assertThat(browser.find("#toast").getAttribute("textContent")).isEqualTo("Signed in as alice");
        browser.waitUntil(d -> activeTag().equals("h1")); // focus moves to the page, which shows more now
        JsonNode session = stored();
        assertThat(session.get("user").asText()).isEqualTo("alice");
        assertThat(session.get("token").asText()).contains(".");
        assertThat(session.get("refreshToken").asText()).contains(".");
        assertThat(claims(session.get("token").asText()).toString()).contains("registry", "catalog");
        assertThat(browser.script("return localStorage.length;")).as("never localStorage").isEqualTo(0L);
        assertThat(browser.script("return document.cookie;")).as("never a cookie").isEqualTo("");
        waitForIcons();
        browser.screenshot("signed-in", 900);

        // the session lasts across page loads in this tab: a team repository and one of its artifacts
        browser.open("/r/team/app");
        assertThat(browser.find("table.artifact-list th.reference a").getText()).isEqualTo("team/app:1.0");
        browser.find("table.artifact-list th.reference a").click();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/r/team/app:1.0");
        assertThat(browser.find("h1").getText()).isEqualTo("team/app:1.0");
        assertThat(browser.all("#layers tbody tr")).hasSize(1);
        waitForIcons();
        assertThat(browser.find(".artifact-header > img").getAttribute("src")).startsWith("data:image/svg+xml");
        browser.screenshot("signed-in-artifact", 1400);
        // a download link cannot send the token: the page fetches the layer with a pull token and saves it
        Path downloads = createDirectories(dir.resolve("downloads"));
        browser.cdp("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", downloads.toAbsolutePath().toString()));
        browser.find("#layers td.download a").click();
        browser.waitUntil(d -> downloaded(downloads).size() == 1);
        assertThat(downloaded(downloads).get(0).getFileName().toString()).startsWith("sha256-");
        assertThat(size(downloaded(downloads).get(0))).isEqualTo(64);
        assertThat(browser.find("#toast").getAttribute("textContent")).startsWith("Downloaded sha256:");
        browser.open("/r/secret/vault:1.0");
        assertThat(browser.find("h1").getText()).as("alice may not read secret/**").isEqualTo("Not found");
        browser.consoleErrors(); // the 404 is logged as a failed load

        browser.open("/");
        browser.find(".session .signout-button").click();
        browser.waitUntil(d -> repositories().equals(PUBLIC));
        assertThat(stored()).isNull();
        assertThat(browser.find(".session .signin-button").getText()).isEqualTo("Sign in");
        assertThat(activeText()).as("focus stays on the control").isEqualTo("Sign in");
        assertThat(browser.all(".session .session-name")).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aWrongPasswordIsAnInlineErrorAndStoresNothing() {
        browser.find(".signin-button").click();
        browser.find("#signin-user").sendKeys("alice");
        browser.find("#signin-password").sendKeys("not-her-password");
        browser.find("#signin-dialog button[type=submit]").click();

        WebElement error = browser.find("#signin-error");
        browser.waitUntil(d -> !error.getText().isEmpty());
        assertThat(error.getText()).isEqualTo("Wrong user name or password.");
        assertThat(error.getAttribute("role")).isEqualTo("alert");
        WebElement password = browser.find("#signin-password");
        assertThat(password.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(password.getAttribute("aria-describedby")).isEqualTo("signin-error");
        assertThat(password.getAttribute("value")).as("the wrong password is cleared").isEmpty();
        assertThat(activeId()).isEqualTo("signin-password");
        assertThat(browser.find("#signin-user").getAttribute("value")).isEqualTo("alice");
        assertThat(stored()).isNull();
        assertThat(browser.script("return Object.keys(sessionStorage).length + localStorage.length;")).isEqualTo(0L);
        assertThat(repositories()).isEqualTo(PUBLIC);
        browser.screenshot("signin-error", 900);

        // empty fields are caught before asking the registry
        password.sendKeys(Keys.ENTER);
        browser.waitUntil(d -> error.getText().equals("Enter your password."));

        // Escape closes the form and gives focus back to the control
        password.sendKeys(Keys.ESCAPE);
        browser.waitUntil(d -> browser.all("#signin-dialog").isEmpty());
        assertThat(activeText()).isEqualTo("Sign in");
        assertThat(browser.consoleErrors()).as("only the refused token request").hasSize(1)
                .allSatisfy(e -> assertThat(e).contains("/token", "401"));
    }

    @Test
    void theKeyboardAloneSignsIn() {
        WebElement body = browser.find("body");
        body.sendKeys(Keys.TAB);
        for (int i = 0; i < 10 && !"Sign in".equals(activeText()); i++) {
            active().sendKeys(Keys.TAB);
        }
        assertThat(activeText()).isEqualTo("Sign in");
        assertThat(browser.script("return getComputedStyle(document.activeElement).outlineStyle;")).isEqualTo("solid");
        active().sendKeys(Keys.ENTER);
        browser.find("#signin-dialog[open]");
        active().sendKeys("alice", Keys.TAB);
        assertThat(activeId()).isEqualTo("signin-password");
        active().sendKeys("alice-pw", Keys.TAB);
        assertThat(activeText()).isEqualTo("Cancel");
        active().sendKeys(Keys.TAB);
        assertThat(activeText()).isEqualTo("Sign in");
        active().sendKeys(Keys.ENTER);
        browser.waitUntil(d -> repositories().equals(ALICE));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aTokenTheRegistryNoLongerAcceptsIsRenewedOrDroppedWithTheFormOfferedAgain() {
        signIn("alice", "alice-pw");
        JsonNode session = stored();

        // a refused access token with a refresh token: renewed without asking
        store(((ObjectNode) session.deepCopy()).put("token", tampered(session.get("token").asText())));
        browser.open("/r/team/db");
        assertThat(browser.find("table.artifact-list th.reference a").getText()).isEqualTo("team/db:1.0");
        assertThat(stored().get("token").asText()).isNotEqualTo(tampered(session.get("token").asText()));
        assertThat(browser.all("#signin-dialog")).isEmpty();
        // one that has run out by the clock is renewed before it is sent
        store(((ObjectNode) stored().deepCopy()).put("expiresAt", 0));
        String before = stored().get("token").asText();
        browser.open("/");
        assertThat(repositories()).isEqualTo(ALICE);
        assertThat(stored().get("token").asText()).isNotEqualTo(before);
        assertThat(stored().get("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis());
        browser.consoleErrors(); // the refused request before the renewal

        // without a way to renew it: dropped, the anonymous view, and the form with a message
        store(((ObjectNode) stored().deepCopy())
                .put("token", tampered(stored().get("token").asText())).putNull("refreshToken"));
        browser.open("/");
        browser.find("#signin-dialog[open]");
        browser.waitUntil(d -> repositories().equals(PUBLIC));
        assertThat(browser.find("#signin-notice").getText()).startsWith("Your session has ended");
        assertThat(stored()).isNull();
        assertThat(browser.find(".session .signin-button").getText()).isEqualTo("Sign in");
        assertThat(browser.find("#signin-user").getAttribute("value")).as("the name is kept").isEqualTo("alice");
        assertThat(activeId()).isEqualTo("signin-password");
        browser.screenshot("signin-expired", 900);

        browser.find("#signin-password").sendKeys("alice-pw", Keys.ENTER);
        browser.waitUntil(d -> repositories().equals(ALICE));
        browser.consoleErrors();
    }

    @Test
    void atPhoneWidthAndInDarkModeTheControlAndTheFormFit() {
        browser.viewport(390, 844, true).colorScheme("dark");
        browser.open("/");
        assertThat(browser.script("return document.documentElement.clientWidth;")).isEqualTo(390L);
        within390(browser.find(".signin-button").getRect());
        browser.find(".signin-button").click();
        WebElement dialog = browser.find("#signin-dialog[open]");
        within390(dialog.getRect());
        within390(browser.find("#signin-dialog button[type=submit]").getRect());
        assertThat(luminance((String) browser.script("return getComputedStyle(document.getElementById('signin-dialog')).backgroundColor;")))
                .isLessThan(0.1);
        assertThat(luminance((String) browser.script("return getComputedStyle(document.getElementById('signin-user')).color;")))
                .isGreaterThan(0.7);
        browser.find("#signin-user").sendKeys("alice");
        browser.find("#signin-password").sendKeys("wrong", Keys.ENTER);
        browser.waitUntil(d -> !browser.find("#signin-error").getText().isEmpty());
        browser.assertNoHorizontalOverflow();
        browser.screenshot("signin-phone-390", 844);
        browser.consoleErrors();

        browser.find("#signin-password").sendKeys("alice-pw", Keys.ENTER);
        browser.waitUntil(d -> repositories().equals(ALICE));
        waitForIcons();
        for (WebElement part : browser.all("header .brand, header .site-nav a, header .session > *")) {
            within390(part.getRect());
        }
        browser.assertNoHorizontalOverflow();
        browser.screenshot("signed-in-phone-390", 1200);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void whereAnonymousMayReadNothingThePageAsksToSignInAndTheIconsComeWithTheToken() {
        try (BerthFixture closed = startRegistry(dir.resolve("closed"))) {
            push(closed, "team/app", "1.0");
            browser.driver().get(base(closed) + "/");
            browser.settled();
            assertThat(browser.find("h1").getText()).isEqualTo("Sign in to see this registry");
            assertThat(browser.driver().getTitle()).isEqualTo("Sign in · Berth");
            browser.screenshot("signin-needed", 900);
            browser.find("main button.primary").click();
            browser.find("#signin-user").sendKeys("alice");
            browser.find("#signin-password").sendKeys("alice-pw", Keys.ENTER);
            browser.waitUntil(d -> repositories().equals(List.of("team/app")));
            waitForIcons();
            assertThat(browser.all("table.repository-list img.type-icon")).isNotEmpty()
                    .allSatisfy(img -> assertThat(img.getAttribute("src")).startsWith("data:image/svg+xml"));
            browser.driver().get(base(closed) + "/r/team/app:1.0");
            browser.settled();
            assertThat(browser.find("h1").getText()).isEqualTo("team/app:1.0");
            waitForIcons();
            browser.screenshot("signed-in-closed-registry", 900);
            browser.script("sessionStorage.clear();");
            browser.consoleErrors(); // the anonymous 401s before signing in
        } finally {
            browser.driver().get(base(registry) + "/");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void signIn(String user, String password) {
        browser.find(".signin-button").click();
        browser.find("#signin-user").sendKeys(user);
        browser.find("#signin-password").sendKeys(password, Keys.ENTER);
        browser.waitUntil(d -> !browser.all(".session .session-name").isEmpty());
        browser.settled();
    }

    private static List<String> repositories() {
        // in one script: the rows may be drawn anew (signing in and out re-renders) between finding and reading
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) browser.script("return [...document.querySelectorAll("
                + "'table.repository-list tbody th.name a')].map(a => a.textContent);");
        return names;
    }

    private static void waitForIcons() {
        browser.waitUntil(d -> Boolean.TRUE.equals(browser.script("const icons = [...document.querySelectorAll('img.type-icon')];"
                + " return icons.length > 0 && icons.every(i => i.complete && i.naturalWidth > 0);")));
    }

    private static List<Path> downloaded(Path directory) {
        try (var files = Files.list(directory)) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".crdownload") && size(f) > 0).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path createDirectories(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode stored() {
        Object text = browser.script("return sessionStorage.getItem(arguments[0]);", SESSION_KEY);
        try {
            return text == null ? null : JSON.readTree((String) text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void store(JsonNode session) {
        browser.script("sessionStorage.setItem(arguments[0], arguments[1]);", SESSION_KEY, session.toString());
    }

    private static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token with one character of its signature changed. */
    private static String tampered(String token) {
        int at = token.lastIndexOf('.') + 10;
        return token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    private static void within390(Rectangle rect) {
        assertThat(rect.getX()).isGreaterThanOrEqualTo(0);
        assertThat(rect.getX() + rect.getWidth()).isLessThanOrEqualTo(390);
    }

    private static WebElement active() {
        return browser.driver().switchTo().activeElement();
    }

    private static String activeId() {
        return (String) browser.script("return document.activeElement.id;");
    }

    private static String activeTag() {
        return (String) browser.script("return document.activeElement.tagName.toLowerCase();");
    }

    private static String activeText() {
        return (String) browser.script("return document.activeElement.textContent;");
    }

    private static String base(BerthFixture fixture) {
        return "http://" + fixture.hostPort();
    }

    /** Relative luminance (0 black … 1 white) of a CSS rgb() color. */
    private static double luminance(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,.]", "").split(",");
        double[] channels = new double[3];
        for (int i = 0; i < 3; i++) {
            double c = Double.parseDouble(parts[i]) / 255;
            channels[i] = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    }

    // ---- pushing with basic credentials -------------------------------------------------------------------------

    private static String bcrypt(String password) {
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, password.toCharArray());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An OCI image (a config and one random layer) under {@code tag}, pushed as admin. */
    private static void push(BerthFixture target, String repository, String tag) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\",\"n\":\""
                + HexFormat.of().formatHex(random(8)) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(64);
        String configDigest = pushBlob(target, repository, config);
        String layerDigest = pushBlob(target, repository, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> put = send(target, "PUT", "/v2/" + repository + "/manifests/" + tag, manifest,
                "application/vnd.oci.image.manifest.v1+json");
        assertThat(put.statusCode()).as("PUT manifest: %s", put.body()).isEqualTo(201);
    }

    private static String pushBlob(BerthFixture target, String repository, byte[] content) {
        String digest = sha256(content);
        HttpResponse<String> post = send(target, "POST", "/v2/" + repository + "/blobs/uploads/", null, null);
        assertThat(post.statusCode()).as("POST upload: %s", post.body()).isEqualTo(202);
        String location = post.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> put = send(target, "PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest,
                content, "application/octet-stream");
        assertThat(put.statusCode()).as("PUT blob: %s", put.body()).isEqualTo(201);
        return digest;
    }

    private static HttpResponse<String> send(BerthFixture target, String method, String path, byte[] body, String type) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(target)).resolve(path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
                .header("Authorization", ADMIN);
        if (type != null) {
            request.header("Content-Type", type);
        }
        try {
            return HTTP.send(request.build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] content) {
        return Digest.sha256(content).toString();
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
