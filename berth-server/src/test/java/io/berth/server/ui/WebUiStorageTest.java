package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.api.UiSeed;
import io.berth.server.auth.AuthConfig;
import io.berth.server.auth.AuthConfig.Policy;
import io.berth.server.event.RepositoryGlob;
import io.berth.server.meta.Quota;
import io.berth.server.quota.QuotaRule;
import io.berth.server.quota.QuotasConfig;
import io.berth.server.retention.DeleteRule;
import io.berth.server.retention.RetentionConfig;
import io.berth.server.retention.RetentionPolicy;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The Storage page in a real headless Chromium: on a registry without authorization (everyone operates it) after
 * pushing two repositories that share a layer, its figures are those of {@code GET /api/v1/admin/storage} (the shared
 * layer once in the total, fully in each repository), the collections table and the dry-run button work whether or
 * not the registry has a collector yet; with authorization, only an operator sees the link and the figures.
 * Screenshots under target/screenshots/storage*.png.
 */
class WebUiStorageTest {
    private static final String WEB = "shop/web";
    private static final String WORKER = "shop/worker";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static BerthFixture open;
    static BerthFixture guarded;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        // Pushed "1.0" tags of images go by this policy: the preview lists them, nothing runs it.
        RetentionPolicy ones = new RetentionPolicy("ones", List.of(RepositoryGlob.of("shop/**")), Set.of("oci-image"),
                List.of(new DeleteRule("delete[0]", Optional.of(Pattern.compile("^1\\.0$")), Set.of(), Optional.empty(),
                        Optional.empty(), Optional.empty())), List.of());
        open = BerthFixture.start(dir.resolve("open"), c -> c.withQuotas(new QuotasConfig(List.of(
                new QuotaRule(0, Quota.Scope.Kind.REPOSITORY, List.of(RepositoryGlob.of(WORKER)), OptionalLong.empty(),
                        OptionalLong.of(10)),
                new QuotaRule(1, Quota.Scope.Kind.NAMESPACE, List.of(RepositoryGlob.of("shop")),
                        OptionalLong.of(1L << 30), OptionalLong.empty()))))
                .withRetention(new RetentionConfig(Duration.ZERO, List.of(ones))));
        UiSeed seed = new UiSeed(open.baseUri());
        byte[] shared = new byte[200_000];
        ThreadLocalRandom.current().nextBytes(shared);
        seed.pushImageWithLayer(WEB, "1.0", shared);
        seed.pushImageWithLayer(WORKER, "1.0", shared);
        seed.pushArtifact(WORKER, "chart-0.1.0", UiSeed.HELM_CONFIG, UiSeed.HELM_CHART);

        Path htpasswd = Files.createDirectories(dir.resolve("guarded")).resolve("htpasswd");
        Files.writeString(htpasswd, "admin:" + bcrypt("admin-pw") + "\nalice:" + bcrypt("alice-pw") + "\n");
        AuthConfig auth = AuthConfig.NONE.withHtpasswd(htpasswd).withPolicies(List.of(
                new Policy(List.of("**"), List.of("admin"), List.of(), false, List.of("*")),
                new Policy(List.of("team/**"), List.of("alice"), List.of(), false, List.of("pull"))));
        guarded = BerthFixture.start(dir.resolve("guarded").resolve("data"), c -> c.withAuth(auth));
        browser = Browser.start(base(open));
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            try {
                open.close();
            } finally {
                guarded.close();
            }
        }
    }

    @Test
    void theStoragePageShowsTheUsageOfTheApiWithASharedLayerCountedOnceInTheTotal() {
        JsonNode usage = get(open, "/api/v1/admin/storage");
        browser.viewport(1280, 900, false).colorScheme("light");
        browser.driver().get(base(open) + "/");
        browser.settled();
        WebElement link = browser.find(".site-nav a[data-section=storage]");
        assertThat(link.isDisplayed()).as("without authorization everyone operates the registry").isTrue();
        link.click();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/storage");
        assertThat(browser.find("h1").getText()).isEqualTo("Storage");
        assertThat(link.getAttribute("aria-current")).isEqualTo("page");

        long total = usage.at("/total/bytes").asLong();
        assertThat(bytes("#total-bytes .bytes")).isEqualTo(total);
        assertThat(browser.find("#total-blobs").getText()).isEqualTo(String.valueOf(usage.at("/total/blobs").asLong()));
        assertThat(browser.find("#uploads-expiry").getText()).isEqualTo("1 day");
        long web = repository(usage, WEB).get("bytes").asLong();
        long worker = repository(usage, WORKER).get("bytes").asLong();
        assertThat(web + worker).as("the shared layer counts in both repositories, once in the total")
                .isEqualTo(total + 200_000);
        WebElement webRow = browser.find("tr[data-repository='" + WEB + "']");
        WebElement workerRow = browser.find("tr[data-repository='" + WORKER + "']");
        assertThat(bytes(webRow, "td.size .bytes")).isEqualTo(web);
        assertThat(bytes(workerRow, "td.size .bytes")).isEqualTo(worker);
        assertThat(webRow.findElement(By.cssSelector("td.artifacts")).getText()).isEqualTo("1");
        assertThat(workerRow.findElement(By.cssSelector("td.artifacts")).getText()).isEqualTo("2");
        assertThat(browser.all("table.usage-list tbody tr")).extracting(row -> row.getAttribute("data-repository"))
                .as("largest first").containsExactly(WORKER, WEB);
        List<WebElement> workerTypes = workerRow.findElements(By.cssSelector(".type-usage li"));
        assertThat(workerTypes).extracting(li -> li.getAttribute("data-type")).containsExactly("oci-image", "helm-chart");
        assertThat(workerTypes.get(0).getText().replaceAll("\\s+", " ")).startsWith("OCI image 1 · ");
        for (JsonNode type : repository(usage, WORKER).get("byType")) {
            assertThat(bytes(workerRow, "li[data-type='" + type.get("type").asText() + "'] .bytes"))
                    .isEqualTo(type.get("bytes").asLong());
        }
        browser.screenshot("storage");
    }

    @Test
    void theStoragePageShowsEachQuotaWithWhatItsScopeUsesAndTheNamespacesTogether() {
        JsonNode usage = get(open, "/api/v1/admin/storage");
        browser.viewport(1280, 900, false).colorScheme("light");
        browser.driver().get(base(open) + "/storage");
        browser.settled();
        WebElement workerQuota = browser.find("tr[data-repository='" + WORKER + "'] .quota");
        assertThat(workerQuota.getAttribute("data-rule")).isEqualTo("quotas[0]");
        WebElement manifests = workerQuota.findElement(By.cssSelector(".quota-manifests"));
        assertThat(manifests.getAttribute("data-used")).isEqualTo("2");
        assertThat(manifests.getAttribute("data-max")).isEqualTo("10");
        assertThat(manifests.getText()).contains("2 of 10 manifests");
        assertThat(workerQuota.findElements(By.cssSelector(".quota-bytes"))).as("no limit on bytes").isEmpty();
        assertThat(browser.find("tr[data-repository='" + WEB + "'] .no-quota").getText()).isEqualTo("No quota");

        JsonNode shop = usage.get("namespaces").get(0);
        assertThat(shop.get("namespace").asText()).isEqualTo("shop");
        assertThat(shop.get("bytes").asLong()).as("every blob once").isEqualTo(usage.at("/total/bytes").asLong());
        WebElement row = browser.find("tr[data-namespace='shop']");
        assertThat(bytes(row, "td.size .bytes")).isEqualTo(shop.get("bytes").asLong());
        assertThat(row.findElement(By.cssSelector("td.manifests")).getText()).isEqualTo("3");
        WebElement bytesQuota = row.findElement(By.cssSelector(".quota-bytes"));
        assertThat(bytesQuota.getAttribute("data-used")).isEqualTo(String.valueOf(shop.get("bytes").asLong()));
        assertThat(bytesQuota.getAttribute("data-max")).isEqualTo(String.valueOf(1L << 30));
        assertThat(bytesQuota.getText()).contains("of 1.0 GiB");
        browser.screenshot("storage-quotas");
    }

    /**
     * The collections come from {@code GET /api/v1/admin/gc}: where the registry has no collector yet (404) the page
     * says there are none, and the dry run says the registry has none; with a collector, the dry run's report shows.
     */
    @Test
    void theCollectionsTableAndTheDryRunWorkWithOrWithoutACollector() {
        boolean collector = status(open, "GET", "/api/v1/admin/gc") == 200;
        browser.consoleErrors();
        browser.open("/storage");
        if (!collector) {
            assertThat(browser.find("#gc-runs .gc-empty").getText()).isEqualTo("No collections yet.");
        }
        browser.find("#gc-dry-run").click();
        browser.waitUntil(d -> {
            String report = browser.find("#gc-report").getText();
            return !report.isEmpty() && !report.startsWith("Running");
        });
        String report = browser.find("#gc-report").getText();
        if (collector) {
            assertThat(report).startsWith("Dry run done: would delete");
        } else {
            assertThat(report).isEqualTo("This registry has no garbage collector yet.");
            browser.consoleErrors(); // the 404s of the collector's routes, logged as failed loads
        }
        assertThat(browser.find("#gc-dry-run").isEnabled()).isTrue();
        assertThat(browser.consoleErrors()).isEmpty();
        browser.screenshot("storage-dry-run");
    }

    /** The retention preview of {@code GET /api/v1/admin/retention/preview}, row by row. */
    @Test
    void theRetentionSectionShowsWhatThePoliciesWouldDeleteAndWhy() {
        JsonNode preview = get(open, "/api/v1/admin/retention/preview");
        assertThat(preview.get("deletions")).hasSize(4);
        browser.consoleErrors();
        browser.open("/storage");
        browser.find("#retention-preview table.retention-preview tbody tr");
        List<WebElement> rows = browser.all("#retention-preview table.retention-preview tbody tr");
        assertThat(rows).hasSize(4);
        assertThat(rows).extracting(row -> row.getAttribute("data-repository") + " " + row.getAttribute("data-kind"))
                .containsExactlyInAnyOrder(WEB + " tag", WORKER + " tag", WEB + " manifest", WORKER + " manifest");
        WebElement tagRow = rows.stream().filter(row -> "tag".equals(row.getAttribute("data-kind"))).findFirst()
                .orElseThrow();
        assertThat(tagRow.findElement(By.cssSelector("td.name")).getText()).isEqualTo("1.0");
        assertThat(tagRow.findElement(By.cssSelector("td.policy")).getText()).isEqualTo("ones");
        assertThat(tagRow.findElement(By.cssSelector("td.rule")).getText()).isEqualTo("delete[0]");
        assertThat(tagRow.findElement(By.cssSelector("td.reason")).getText()).contains("tag matches ^1\\.0$");
        assertThat(tagRow.findElement(By.cssSelector("td[data-type]")).getText()).contains("OCI image");
        assertThat(status(open, "GET", "/v2/" + WEB + "/manifests/1.0")).as("a preview deletes nothing").isEqualTo(200);
        assertThat(browser.consoleErrors()).isEmpty();
        browser.screenshot("storage-retention");
    }

    @Test
    void withAuthorizationOnlyAnOperatorSeesTheLinkAndTheFigures() {
        guardedPage("/");
        browser.script("sessionStorage.clear();");
        guardedPage("/");
        assertThat(storageLink().isDisplayed()).as("anonymous").isFalse();

        signIn("alice", "alice-pw");
        assertThat(storageLink().isDisplayed()).as("alice operates nothing").isFalse();
        guardedPage("/storage");
        assertThat(browser.find("main .not-admin").getText()).contains("Only the registry’s operators", "alice is not one");
        assertThat(browser.all("#total-bytes")).isEmpty();
        browser.find(".session .signout-button").click();
        browser.waitUntil(d -> !browser.all(".session .signin-button").isEmpty());

        signIn("admin", "admin-pw");
        browser.waitUntil(d -> storageLink().isDisplayed());
        storageLink().click();
        browser.settled();
        assertThat(bytes("#total-bytes .bytes")).isEqualTo(get(guarded, "/api/v1/admin/storage").at("/total/bytes").asLong());
        assertThat(browser.find("#usage").getText()).contains("Nothing stored yet");
        assertThat(browser.script("return Object.keys(sessionStorage).join(',') + JSON.stringify(sessionStorage);").toString())
                .as("the operators' token stays in memory").doesNotContain("registry:admin");
        browser.screenshot("storage-admin", 900);
        browser.consoleErrors();
        browser.find(".session .signout-button").click();
        browser.waitUntil(d -> !storageLink().isDisplayed());
        browser.driver().get(base(open) + "/");
        browser.settled();
    }

    /** A page of the registry with authorization (the browser's own base is the other one). */
    private static void guardedPage(String path) {
        browser.driver().get(base(guarded) + path);
        browser.settled();
    }

    private static WebElement storageLink() {
        return browser.find(".site-nav a[data-section=storage]");
    }

    private static void signIn(String user, String password) {
        browser.find(".signin-button").click();
        WebElement name = browser.find("#signin-user");
        name.clear(); // the form offers the last user's name
        name.sendKeys(user);
        browser.find("#signin-password").sendKeys(password, Keys.ENTER);
        browser.waitUntil(d -> !browser.all(".session .session-name").isEmpty());
        browser.settled();
    }

    private static long bytes(String css) {
        return Long.parseLong(browser.find(css).getAttribute("data-bytes"));
    }

    private static long bytes(WebElement within, String css) {
        return Long.parseLong(within.findElement(By.cssSelector(css)).getAttribute("data-bytes"));
    }

    private static JsonNode repository(JsonNode usage, String name) {
        for (JsonNode repository : usage.get("repositories")) {
            if (repository.get("repository").asText().equals(name)) {
                return repository;
            }
        }
        throw new AssertionError(name + " not in " + usage);
    }

    private static String base(BerthFixture registry) {
        return "http://" + registry.hostPort();
    }

    private static JsonNode get(BerthFixture registry, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(registry) + path));
        if (registry == guarded) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString("admin:admin-pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(BerthFixture registry, String method, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base(registry) + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String bcrypt(String password) {
        return BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, password.toCharArray());
    }
}
