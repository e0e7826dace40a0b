package io.berth.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both by explicit path so that Selenium Manager
 * never looks for (or downloads) a browser or a driver; a fresh profile per browser. Missing packages fail the test
 * with the names to install; they are never a reason to skip.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;

    private Browser(ChromeDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
    }

    /** A desktop-sized browser (1280 × 900) for pages under {@code base} ({@code http://host:port}). */
    static Browser start(String base) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The web UI tests drive a real headless Chromium: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are needed. Install the Debian packages: apt-get install -y chromium chromium-driver"
                    + " (.ci/run installs them).");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("berth-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--force-color-profile=srgb", "--lang=en-US", "--window-size=1280,900",
                "--user-data-dir=" + profile.toAbsolutePath());
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        Browser browser = new Browser(driver, profile, base);
        browser.viewport(1280, 900, false);
        return browser;
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens a path of the UI ({@code /r/…}) and waits until the view has rendered (main no longer busy). */
    Browser open(String path) {
        driver.get(base + path);
        return settled();
    }

    /** Waits until the router has finished the current view. */
    Browser settled() {
        waitUntil(d -> Boolean.TRUE.equals(script(
                "const m = document.getElementById('main'); return m !== null && !m.hasAttribute('aria-busy')"
                        + " && m.querySelector('.loading') === null;")));
        return this;
    }

    /**
     * Waits for the condition; an element that a re-render replaced while the condition read it is no answer yet
     * (the rows of a list being filtered as one types), so the wait goes on.
     */
    <T> T waitUntil(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }

    WebElement find(String css) {
        return waitUntil(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    Object asyncScript(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, arguments);
    }

    String path() {
        return (String) script("return location.pathname + location.search + location.hash;");
    }

    Map<String, Object> cdp(String command, Map<String, Object> parameters) {
        return driver.executeCdpCommand(command, parameters);
    }

    /** The CSS viewport: a phone is {@code mobile} (touch, no scrollbars). */
    Browser viewport(int width, int height, boolean mobile) {
        cdp("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
        return this;
    }

    /** {@code prefers-color-scheme}: "light" or "dark". */
    Browser colorScheme(String scheme) {
        cdp("Emulation.setEmulatedMedia", Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        return this;
    }

    Browser grantClipboard() {
        cdp("Browser.grantPermissions", Map.of("origin", base,
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        return this;
    }

    /** A screenshot of the whole page (not only the viewport) under target/screenshots/{name}.png. */
    Path screenshot(String name) {
        return screenshot(name, 6000);
    }

    /** A screenshot of the page's top {@code maxHeight} pixels (or all of it when shorter). */
    Path screenshot(String name, int maxHeight) {
        Number width = (Number) script("return document.documentElement.clientWidth;");
        Number height = (Number) script("return Math.max(document.documentElement.scrollHeight, window.innerHeight);");
        Map<String, Object> shot = cdp("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", Math.min(height.intValue(), maxHeight), "scale", 1)));
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Errors the page logged (uncaught exceptions, CSP violations, failed loads). */
    List<String> consoleErrors() {
        return driver.manage().logs().get("browser").getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(entry -> entry.getMessage())
                .toList();
    }

    void assertNoHorizontalOverflow() {
        Number scroll = (Number) script("return document.documentElement.scrollWidth;");
        Number client = (Number) script("return document.documentElement.clientWidth;");
        assertThat(scroll.intValue()).as("page width at %s px wide", client).isLessThanOrEqualTo(client.intValue());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp profile is harmless
            }
        }
    }
}
