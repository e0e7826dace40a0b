package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.api.UiSeed;
import io.berth.server.testing.BerthFixture;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web UI (issue #6) in a real headless Chromium over the seed's registry listing: the repositories page, the
 * seed's table (reference, icon, type, actions) on a repository page, an artifact with its typed index children and
 * referrer tree, the type catalog with a type file and a broken one, copying a command, phone width and dark mode.
 * What each page shows is checked against the JSON API it reads. Every test leaves a screenshot in
 * target/screenshots/.
 */
class WebUiBrowserTest {
    private static final String MIXED = "ui/mixed";
    private static final String ROCKET = "acme/rocket";
    private static final String ROCKET_TYPES = """
            berthTypes: 1
            types:
              - id: acme-rocket
                title: Acme rocket
                description: A launch plan for Acme's rocket CLI.
                icon: "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><rect width='24' height='24' rx='5' fill='#c33'/></svg>"
                scanner: none
                match:
                  - configMediaType: application/vnd.acme.rocket.config.v1+json
                actions:
                  - title: Launch
                    command: rocket launch {registry}/{repository}:{tag}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;
    static BerthFixture registry;
    static Browser browser;
    static String imageIndex;
    /** A signature over the image's SBOM: a referrer of a referrer. */
    static String sbomSignature;

    @BeforeAll
    static void start() throws IOException {
        Path types = Files.createDirectories(dataDir.resolve("types"));
        Files.writeString(types.resolve("acme.yaml"), ROCKET_TYPES);
        Files.writeString(types.resolve("broken.json"), "{\"berthTypes\": 1,\n  \"types\": [ {\"id\": \n");
        registry = BerthFixture.start(dataDir);
        UiSeed seed = new UiSeed(registry.baseUri());
        imageIndex = seed.pushSeed();
        seed.pushImage(MIXED, "v1");
        seed.pushImage(MIXED, "v2");
        seed.pushArtifact(MIXED, "chart-0.1.0", UiSeed.HELM_CONFIG, UiSeed.HELM_CHART);
        seed.pushArtifact(ROCKET, "1.0", "application/vnd.acme.rocket.config.v1+json", "application/octet-stream");
        for (JsonNode referrer : api("/api/v1/artifact?repository=" + UiSeed.IMAGE + "&reference=1.0").get("referrerTree")) {
            if (referrer.at("/type/id").asText().equals("spdx-sbom")) {
                sbomSignature = seed.pushSignature(UiSeed.IMAGE, referrer.get("digest").asText());
            }
        }
        browser = Browser.start("http://" + registry.hostPort());
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
    void lightDesktop() {
        browser.viewport(1280, 900, false).colorScheme("light");
        browser.consoleErrors();
    }

    @AfterEach
    void noErrorsInThePage() {
        assertThat(browser.consoleErrors()).as("console errors (CSP violations, exceptions, failed loads)").isEmpty();
        String shown = (String) browser.script("const main = document.getElementById('main').cloneNode(true);"
                + " main.querySelectorAll('pre').forEach(pre => pre.remove()); return main.textContent;");
        assertThat(shown).as("no JavaScript values leak into the page").doesNotContainPattern("\\bnull\\b|undefined|\\[object |NaN");
    }

    // ---- repositories ------------------------------------------------------------------------------------------

    @Test
    void theRepositoriesPageListsEveryRepositoryWithCountsPerTypeLastPushAndSize() {
        browser.open("/");

        assertThat(texts("table.repository-list tbody th.name a")).containsExactly(ROCKET, UiSeed.ARM, UiSeed.CNAB,
                UiSeed.ECS, UiSeed.HELM, UiSeed.IMAGE, MIXED);
        JsonNode api = api("/api/v1/repositories");
        for (JsonNode repository : api.get("repositories")) {
            WebElement row = rowNamed(repository.get("name").asText());
            List<String> icons = attributes(row, ".type-counts img", "src");
            List<String> expected = new ArrayList<>();
            repository.get("artifacts").fieldNames().forEachRemaining(id -> expected.add(base() + iconUrl(id)));
            assertThat(icons).as(repository.get("name").asText()).containsExactlyInAnyOrderElementsOf(expected);
            Instant shown = Instant.parse(row.findElement(By.cssSelector("time")).getAttribute("datetime"));
            assertThat(shown).isEqualTo(Instant.parse(repository.get("lastPush").asText()));
        }
        assertThat(rowNamed(MIXED).findElements(By.cssSelector(".type-count")))
                .extracting(WebElement::getText).containsExactly("OCI image\n2", "Helm chart\n1");
        assertThat(rowNamed(UiSeed.IMAGE).findElement(By.cssSelector("td.num")).getText()).matches("\\d+(\\.\\d)? (B|KiB)");
        assertThat(chip("helm-chart").getText()).isEqualTo("Helm chart\n2");
        assertThat(chip("helm-chart").findElement(By.tagName("img")).getAttribute("src")).endsWith(iconUrl("helm-chart"));
        assertThat(browser.find(".chips .chip[aria-current]").getText()).isEqualTo("All types");
        browser.screenshot("repositories");
    }

    @Test
    void searchAndTypeChipsFilterTheRepositoriesAndTheFilterIsInTheAddress() {
        browser.open("/");
        WebElement search = browser.find("#repository-search");
        search.sendKeys("cnab");
        browser.waitUntil(d -> texts("table.repository-list tbody th.name a").equals(List.of(UiSeed.CNAB)));
        assertThat(browser.path()).isEqualTo("/?q=cnab");

        browser.open("/");
        chip("ecs-task").click();
        browser.settled();
        browser.waitUntil(d -> texts("table.repository-list tbody th.name a").equals(List.of(UiSeed.ECS)));
        assertThat(browser.path()).isEqualTo("/?type=ecs-task");
        assertThat(browser.find(".chips .chip[aria-current]").getText()).isEqualTo(typeTitle("ecs-task") + "\n1");
        browser.screenshot("repositories-filtered-ecs-task");

        browser.open("/?type=helm-chart");
        assertThat(texts("table.repository-list tbody th.name a")).containsExactly(UiSeed.HELM, MIXED);
    }

    // ---- a repository: the seed's table ---------------------------------------------------------------------

    @Test
    void eachSeedRepositoryShowsTheSeedTableReferenceIconTypeAndActions() {
        for (Map.Entry<String, String> seed : UiSeed.expectedTypes().entrySet()) {
            String repository = seed.getKey();
            browser.open("/r/" + repository);
            JsonNode artifact = api("/api/v1/artifacts?repository=" + repository).at("/artifacts/0");

            List<WebElement> rows = browser.all("table.artifact-list tbody tr");
            assertThat(rows).as(repository).hasSize(1);
            WebElement row = rows.get(0);
            assertThat(row.findElement(By.cssSelector("th.reference a")).getText()).isEqualTo(repository + ":1.0");
            assertThat(row.findElement(By.cssSelector("td.icon img")).getAttribute("src"))
                    .isEqualTo(base() + iconUrl(seed.getValue()));
            assertThat(row.findElement(By.cssSelector(".type-title")).getText()).isEqualTo(artifact.at("/type/title").asText());
            assertThat(textContents(row, ".actions .copy-text"))
                    .isEqualTo(strings(artifact.get("actions"), "command"))
                    .isNotEmpty()
                    .anySatisfy(command -> assertThat(command).contains(registry.hostPort() + "/" + repository));
            assertThat(browser.find("h1").getText()).isEqualTo(repository);
        }

        browser.open("/r/" + UiSeed.HELM);
        assertThat(browser.find("table.artifact-list .actions .copy-text").getText())
                .isEqualTo("helm install hello-world oci://" + registry.hostPort() + "/samples/helm/hello-world --version 1.0");
        assertThat(browser.find("table.artifact-list .type-title").getText()).isEqualTo("Helm chart");
        browser.screenshot("repository-helm");
    }

    @Test
    void theMultiPlatformImageShowsItsPlatformsAndReferrerBadges() {
        browser.open("/r/" + UiSeed.IMAGE);
        WebElement row = browser.find("table.artifact-list tbody tr");

        assertThat(row.findElements(By.cssSelector(".platforms li"))).extracting(WebElement::getText)
                .containsExactly("linux/amd64", "windows/amd64");
        assertThat(row.findElements(By.cssSelector(".badges .badge"))).extracting(WebElement::getText)
                .containsExactly("signed", "SBOM", typeTitle("image-docs"));
        assertThat(row.findElement(By.cssSelector(".badge-signature img")).getAttribute("src")).endsWith(iconUrl("cosign-signature"));
        assertThat(row.findElement(By.cssSelector(".description")).getText()).isEqualTo("Hello, world");
        assertThat(row.findElement(By.cssSelector("td.pushed time")).getText()).isNotBlank();
        assertThat(browser.find(".facts").getText()).contains("1 artifact", "last push");
        browser.screenshot("repository-image");
    }

    @Test
    void typeChipsTagSearchAndSortWorkWithinARepository() {
        browser.open("/r/" + MIXED);
        assertThat(texts("table.artifact-list th.reference a"))
                .containsExactly(MIXED + ":chart-0.1.0", MIXED + ":v1", MIXED + ":v2");
        assertThat(browser.all(".chips .chip")).extracting(WebElement::getText)
                .containsExactly("All types", "OCI image\n2", "Helm chart\n1");

        chip("helm-chart").click();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/r/" + MIXED + "?type=helm-chart");
        assertThat(texts("table.artifact-list th.reference a")).containsExactly(MIXED + ":chart-0.1.0");
        assertThat(attributes(browser.find("table.artifact-list tbody tr"), "td.icon img", "src"))
                .containsExactly(base() + iconUrl("helm-chart"));
        browser.screenshot("repository-filtered-helm-chart");

        browser.open("/r/" + MIXED);
        browser.find("#tag-search").sendKeys("v");
        browser.waitUntil(d -> texts("table.artifact-list th.reference a").equals(List.of(MIXED + ":v1", MIXED + ":v2")));
        assertThat(browser.path()).isEqualTo("/r/" + MIXED + "?q=v");

        browser.open("/r/" + MIXED);
        WebElement sizeHeader = browser.find("table.artifact-list thead th.num");
        sizeHeader.findElement(By.tagName("button")).click();
        assertThat(sizeHeader.getAttribute("aria-sort")).isEqualTo("descending");
        List<String> bySize = new ArrayList<>();
        StreamSupport.stream(api("/api/v1/artifacts?repository=" + MIXED).get("artifacts").spliterator(), false)
                .sorted((a, b) -> Long.compare(b.get("size").asLong(), a.get("size").asLong()))
                .forEach(a -> bySize.add(a.get("reference").asText()));
        assertThat(texts("table.artifact-list th.reference a")).isEqualTo(bySize);
        browser.find("table.artifact-list thead th.type button").click();
        assertThat(texts("table.artifact-list td.type .type-title")).containsExactly("Helm chart", "OCI image", "OCI image");
    }

    // ---- an artifact ------------------------------------------------------------------------------------------

    @Test
    void anArtifactShowsTypedIndexChildrenTheReferrerTreeAndItsManifest() throws Exception {
        browser.open("/r/" + UiSeed.IMAGE);
        browser.find("table.artifact-list th.reference a").click();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/r/" + UiSeed.IMAGE + ":1.0");
        JsonNode api = api("/api/v1/artifact?repository=" + UiSeed.IMAGE + "&reference=1.0");

        assertThat(browser.find("h1").getText()).isEqualTo(UiSeed.IMAGE + ":1.0");
        assertThat(browser.find(".artifact-type a").getText()).isEqualTo(api.at("/type/title").asText());
        assertThat(browser.find(".artifact-header > img").getAttribute("src")).isEqualTo(base() + iconUrl("oci-image-index"));
        assertThat(browser.find(".facts-list .copy-text").getText()).isEqualTo(imageIndex);

        List<WebElement> children = browser.all("#children tbody tr");
        assertThat(children).extracting(c -> c.findElement(By.tagName("th")).getText())
                .containsExactly("linux/amd64", "windows/amd64");
        for (int i = 0; i < children.size(); i++) {
            JsonNode child = api.get("children").get(i);
            assertThat(children.get(i).findElement(By.cssSelector("img")).getAttribute("src"))
                    .isEqualTo(base() + iconUrl(child.at("/type/id").asText()));
            assertThat(children.get(i).findElement(By.cssSelector(".type-inline")).getText()).isEqualTo(child.at("/type/title").asText());
            assertThat(children.get(i).findElement(By.cssSelector("a")).getAttribute("href"))
                    .isEqualTo(base() + "/r/" + UiSeed.IMAGE + "@" + child.get("digest").asText());
        }

        List<WebElement> referrers = browser.all("#referrers > .tree > .tree-node");
        assertThat(referrers).extracting(r -> r.getAttribute("data-type"))
                .containsExactlyInAnyOrder("image-docs", "cosign-signature", "spdx-sbom");
        for (JsonNode referrer : api.get("referrerTree")) {
            WebElement node = browser.find("#referrers > .tree > .tree-node[data-type='" + referrer.at("/type/id").asText() + "']");
            assertThat(node.findElement(By.cssSelector("img")).getAttribute("src")).isEqualTo(base() + referrer.at("/type/icon").asText());
            assertThat(node.findElement(By.cssSelector(".tree-type")).getText()).isEqualTo(referrer.at("/type/title").asText());
        }
        WebElement nested = browser.find("#referrers > .tree > .tree-node[data-type='spdx-sbom'] > .tree > .tree-node");
        assertThat(nested.getAttribute("data-type")).as("a signature over the SBOM").isEqualTo("cosign-signature");
        assertThat(nested.findElement(By.cssSelector("a")).getAttribute("href"))
                .isEqualTo(base() + "/r/" + UiSeed.IMAGE + "@" + sbomSignature);
        assertThat(nested.findElement(By.cssSelector("img")).getAttribute("src")).isEqualTo(base() + iconUrl("cosign-signature"));
                JsonNode shownManifest = JSON.readTree(browser.find("#manifest pre").getAttribute("textContent"));
        assertThat(shownManifest).isEqualTo(api.get("manifest"));
        assertThat(browser.find("#annotations dl").getText()).contains("org.opencontainers.image.title", "Hello, world");
        browser.screenshot("artifact-image-index");

        browser.find("#referrers > .tree > .tree-node[data-type='cosign-signature'] a").click();
        browser.settled();
        assertThat(browser.path()).startsWith("/r/" + UiSeed.IMAGE + "@sha256:");
        assertThat(browser.find(".artifact-type a").getText()).isEqualTo("Cosign signature");
        assertThat(browser.find(".facts-list").getText()).contains("application/vnd.dev.cosign.artifact.sig.v1+json", "untagged");

        browser.driver().navigate().back();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/r/" + UiSeed.IMAGE + ":1.0");
        browser.driver().navigate().back();
        browser.settled();
        assertThat(browser.path()).isEqualTo("/r/" + UiSeed.IMAGE);
        assertThat(browser.all("table.artifact-list tbody tr")).hasSize(1);
    }

    @Test
    void anArtifactShowsItsConfigAndLayersWithDownloadLinks() throws Exception {
        browser.open("/r/" + UiSeed.HELM + ":1.0");
        JsonNode api = api("/api/v1/artifact?repository=" + UiSeed.HELM + "&reference=1.0");

        assertThat(browser.find("#config tbody th").getText()).isEqualTo(UiSeed.HELM_CONFIG);
        WebElement layer = browser.find("#layers tbody tr");
        assertThat(layer.findElement(By.tagName("th")).getText()).isEqualTo(UiSeed.HELM_CHART);
        assertThat(layer.findElement(By.cssSelector("td.num")).getText()).isEqualTo("256 B");
        String download = layer.findElement(By.cssSelector("td.download a")).getAttribute("href");
        assertThat(download).isEqualTo(base() + "/v2/" + UiSeed.HELM + "/blobs/" + api.at("/layers/0/digest").asText());
        HttpResponse<byte[]> blob = HTTP.send(HttpRequest.newBuilder(URI.create(download)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).hasSize(256);
        assertThat(textContents(browser.find("#actions"), ".copy-text")).isEqualTo(strings(api.get("actions"), "command"));
        assertThat(browser.find("#referrers").getText()).contains("Nothing refers to this artifact");
        browser.screenshot("artifact-helm-chart");
    }

    @Test
    void copyButtonsPutTheCommandOnTheClipboard() {
        browser.grantClipboard();
        browser.open("/r/" + UiSeed.HELM);
        String command = browser.find("table.artifact-list .actions .copy-text").getText();
        WebElement button = browser.find("table.artifact-list .actions .copy-button");
        assertThat(button.getAttribute("aria-label")).startsWith("Copy ");

        button.click();

        browser.waitUntil(d -> button.getAttribute("data-state") != null);
        assertThat(button.getAttribute("data-state")).isEqualTo("copied");
        Object clipboard = browser.asyncScript("const done = arguments[arguments.length - 1];"
                + " navigator.clipboard.readText().then(done, e => done('failed: ' + e));");
        assertThat(clipboard).isEqualTo(command);
        assertThat(browser.find("#toast").getText()).isEqualTo("Copied to the clipboard");
        browser.screenshot("copied");
    }

    @Test
    void withoutTheClipboardApiTheCopyButtonSelectsTheCommand() {
        browser.open("/r/" + UiSeed.ARM);
        browser.script("Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });"
                + " document.execCommand = () => false;");
        String command = browser.find("table.artifact-list .actions .copy-text").getText();
        WebElement button = browser.find("table.artifact-list .actions .copy-button");

        button.click();

        browser.waitUntil(d -> button.getAttribute("data-state") != null);
        assertThat(button.getAttribute("data-state")).isEqualTo("selected");
        assertThat(browser.script("return window.getSelection().toString();")).isEqualTo(command);
        assertThat(browser.find("#toast").getText()).contains("Ctrl+C");
        browser.screenshot("copy-fallback-selected");
    }

    // ---- types ------------------------------------------------------------------------------------------------

    @Test
    void theTypesPageShowsTheCatalogWhereEachTypeCameFromAndTheProblems() {
        browser.open("/types");
        JsonNode api = api("/api/v1/types");

        assertThat(browser.all(".type-cards .type-card")).hasSize(api.get("types").size());
        WebElement helm = browser.find("#type-helm-chart");
        assertThat(helm.findElement(By.tagName("img")).getAttribute("src")).isEqualTo(base() + iconUrl("helm-chart"));
        assertThat(helm.findElement(By.tagName("h2")).getText()).isEqualTo("Helm chart");
        assertThat(helm.findElement(By.cssSelector(".type-id")).getText()).isEqualTo("helm-chart · Built in");
        assertThat(helm.findElement(By.cssSelector(".rules")).getText()).contains("application/vnd.cncf.helm.config.v1+json");
        assertThat(helm.findElement(By.cssSelector(".action-templates")).getText()).contains("helm install");

        WebElement rocket = browser.find("#type-acme-rocket");
        assertThat(rocket.findElement(By.cssSelector(".source")).getText()).endsWith("acme.yaml");
        assertThat(rocket.findElement(By.cssSelector(".rules")).getText())
                .isEqualTo("config.mediaType is application/vnd.acme.rocket.config.v1+json");
        assertThat(browser.find(".source-list").getText()).contains("Built in 54 types", "acme.yaml 1 type");
        assertThat(browser.find(".problems").getText()).contains("broken.json:");
        assertThat(browser.find(".problems h2").getText()).isEqualTo("1 problem in type files");
        browser.screenshot("types", 1600);

        browser.find("#type-search").sendKeys("rocket");
        browser.waitUntil(d -> browser.all(".type-card").stream().filter(WebElement::isDisplayed).count() == 1);
        assertThat(browser.find("#type-acme-rocket").isDisplayed()).isTrue();

        browser.open("/r/" + ROCKET);
        assertThat(browser.find("table.artifact-list .type-title").getText()).isEqualTo("Acme rocket");
        assertThat(browser.find("table.artifact-list .copy-text").getText()).isEqualTo("rocket launch " + registry.hostPort() + "/" + ROCKET + ":1.0");
    }

    // ---- phone, dark, keyboard, links ---------------------------------------------------------------------------

    @Test
    void atPhoneWidthNothingOverflowsSideways() {
        browser.viewport(390, 844, true);
        for (String[] page : new String[][] {
                {"/", "repositories-phone-390"},
                {"/types", "types-phone-390"},
                {"/r/" + UiSeed.IMAGE, "repository-image-phone-390"},
                {"/r/" + UiSeed.IMAGE + ":1.0", "artifact-image-index-phone-390"}}) {
            browser.open(page[0]);
            assertThat(browser.script("return document.documentElement.clientWidth;")).isEqualTo(390L);
            browser.assertNoHorizontalOverflow();
            browser.screenshot(page[1], 2600);
        }
        WebElement copy = browser.find("#actions .copy-button");
        assertThat(copy.isDisplayed()).isTrue();
        assertThat(copy.getRect().getX() + copy.getRect().getWidth()).isLessThanOrEqualTo(390);
    }

    @Test
    void darkModeFollowsTheSystemColorScheme() {
        browser.colorScheme("dark");
        browser.open("/r/" + UiSeed.IMAGE);
        assertThat(luminance((String) browser.script("return getComputedStyle(document.body).backgroundColor;"))).isLessThan(0.1);
        assertThat(luminance((String) browser.script("return getComputedStyle(document.body).color;"))).isGreaterThan(0.7);
        browser.screenshot("repository-image-dark");
        browser.open("/r/" + UiSeed.IMAGE + ":1.0");
        browser.screenshot("artifact-image-index-dark");
        browser.open("/types");
        browser.screenshot("types-dark", 1600);
    }

    @Test
    void theKeyboardReachesEverythingThroughRealLinksAndButtons() {
        browser.open("/");
        WebElement body = browser.find("body");
        body.sendKeys(Keys.TAB);
        assertThat(active().getText()).isEqualTo("Skip to content");
        assertThat(browser.script("return getComputedStyle(document.activeElement).outlineStyle;")).isEqualTo("solid");
        for (int i = 0; i < 40 && !isFirstRepositoryLink(); i++) {
            active().sendKeys(Keys.TAB);
        }
        assertThat(active().getText()).isEqualTo(ROCKET);
        assertThat(browser.script("return getComputedStyle(document.activeElement).outlineStyle;")).isEqualTo("solid");
        browser.screenshot("keyboard-focus");
        active().sendKeys(Keys.ENTER);
        browser.waitUntil(d -> browser.path().equals("/r/" + ROCKET));
        browser.settled();
        assertThat(active().getTagName()).as("focus moves to the new page's heading").isEqualTo("h1");
        assertThat(browser.all("thead button.sort")).extracting(WebElement::getText)
                .containsExactly("Reference", "Type", "Size", "Pushed");
        assertThat(browser.all("label[for]")).allSatisfy(label ->
                assertThat(browser.all("#" + label.getAttribute("for"))).hasSize(1));
        assertThat(browser.all("button")).allSatisfy(button ->
                assertThat(button.getAttribute("aria-label") != null || !button.getText().isBlank()).isTrue());
    }

    @Test
    void everyPageHasAStableAddressThatOpensDirectly() {
        String[][] pages = {
                {"/", "Repositories"},
                {"/types", "Artifact types"},
                {"/r/" + UiSeed.CNAB, UiSeed.CNAB},
                {"/r/" + UiSeed.CNAB + ":1.0", UiSeed.CNAB + ":1.0"},
                {"/r/" + UiSeed.IMAGE + "@" + imageIndex, UiSeed.IMAGE + "@" + imageIndex},
        };
        for (String[] page : pages) {
            browser.open(page[0]);
            assertThat(browser.find("h1").getText()).as(page[0]).isEqualTo(page[1]);
            assertThat(browser.path()).isEqualTo(page[0]);
        }
        assertThat(browser.find(".facts-list .tags").getText()).isEqualTo("1.0");
        browser.screenshot("artifact-by-digest");
    }

    @Test
    void unknownRepositoriesArtifactsAndPagesSayNotFound() {
        browser.open("/r/no/such/repository");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
        browser.open("/r/" + UiSeed.HELM + ":9.9");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
        assertThat(browser.find("[role=alert]").getText()).contains("9.9");
        browser.open("/r/");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
        browser.screenshot("not-found");
        browser.consoleErrors(); // the API's 404s are logged as failed loads: expected here
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String base() {
        return "http://" + registry.hostPort();
    }

    private static String iconUrl(String typeId) {
        return "/api/v1/types/" + typeId + "/icon.svg";
    }

    private static JsonNode api(String path) {
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String typeTitle(String id) {
        for (JsonNode type : api("/api/v1/types").get("types")) {
            if (type.get("id").asText().equals(id)) {
                return type.get("title").asText();
            }
        }
        throw new AssertionError("no type " + id);
    }

    private static List<String> texts(String css) {
        return browser.all(css).stream().map(WebElement::getText).toList();
    }

    private static List<String> attributes(WebElement root, String css, String attribute) {
        return root.findElements(By.cssSelector(css)).stream().map(e -> e.getAttribute(attribute)).toList();
    }

    /** Text of elements whether shown or behind a closed disclosure. */
    private static List<String> textContents(WebElement root, String css) {
        return root.findElements(By.cssSelector(css)).stream().map(e -> e.getAttribute("textContent")).toList();
    }

    private static List<String> strings(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.get(field).asText()));
        return values;
    }

    private static WebElement rowNamed(String name) {
        return browser.all("table.repository-list tbody tr").stream()
                .filter(row -> row.findElement(By.cssSelector("th.name a")).getText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + name));
    }

    private static WebElement chip(String typeId) {
        return browser.all(".chips .chip").stream()
                .filter(c -> c.getAttribute("href").contains("type=" + URLEncoder.encode(typeId, StandardCharsets.UTF_8)))
                .findFirst().orElseThrow(() -> new AssertionError("no chip for " + typeId));
    }

    private static WebElement active() {
        return browser.driver().switchTo().activeElement();
    }

    private static boolean isFirstRepositoryLink() {
        return Boolean.TRUE.equals(browser.script("return document.activeElement.matches('table.repository-list th.name a');"));
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
}
