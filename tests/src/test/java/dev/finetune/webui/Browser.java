package dev.finetune.webui;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven by its own chromedriver (no browser download), with a fresh
 * profile per session, plus what the dashboard tests need on top of Selenium: colour-scheme and
 * width emulation, full-page screenshots and the browser console. Used by the tests here and,
 * later, by the end-to-end journey in {@code tests/}.
 */
public final class Browser implements AutoCloseable {

    public static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    public static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");

    public static final int DESKTOP_WIDTH = 1440;
    public static final int NARROW_WIDTH = 390;

    private final ChromeDriver driver;
    private final Path profile;
    private final String baseUrl;
    private final Path screenshots;

    private Browser(ChromeDriver driver, Path profile, String baseUrl, Path screenshots) {
        this.driver = driver;
        this.profile = profile;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.screenshots = screenshots;
    }

    /** Whether this machine has the browser and its driver (Debian packages chromium, chromium-driver). */
    public static boolean available() {
        return new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    }

    public static Browser open(String baseUrl) {
        Path profile;
        try {
            profile = Files.createTempDirectory("chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + DESKTOP_WIDTH + ",900", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Path shots = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));
        return new Browser(driver, profile, baseUrl, shots);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Loads the dashboard at a hash route, e.g. {@code #/jobs}. */
    public void go(String hashRoute) {
        String current = driver.getCurrentUrl();
        if (current != null && current.startsWith(baseUrl)) {
            ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hashRoute);
        } else {
            driver.get(baseUrl + hashRoute);
        }
    }

    public void reload(String hashRoute) {
        driver.get(baseUrl + hashRoute);
    }

    /** Signs in with {@code apiKey} from a fresh tab state: no key in the session, then a real page load. */
    public void signInFresh(String apiKey) {
        reload("#/jobs");
        driver.executeScript("sessionStorage.clear(); location.reload()");
        WebElement input = waitFor(By.cssSelector("input[name=api-key]"));
        input.clear();
        input.sendKeys(apiKey);
        driver.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        waitFor(By.id("nav"));
    }

    public WebElement waitFor(By by) {
        return waitFor(by, Duration.ofSeconds(20));
    }

    public WebElement waitFor(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /**
     * The text of the element {@code by} finds, read afresh if the page re-rendered it between the
     * lookup and the read (a live page redraws on every event it receives).
     */
    public String text(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(by).getText());
    }

    /** Clicks the element {@code by} finds, found afresh if the page re-rendered it between the lookup and the click. */
    public void click(By by) {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    d.findElement(by).click();
                    return true;
                });
    }

    public void waitUntilText(By by, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    public void waitUntilGone(By by) {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    /** Emulates a viewport width and a colour scheme, as a phone or a desktop would report them. */
    public void emulate(int width, boolean dark) {
        boolean narrow = width < 600;
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", width, "height", narrow ? 844 : 900, "deviceScaleFactor", 1, "mobile", narrow));
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of(
                "features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    }

    public void resetEmulation() {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    /** Writes a full-page PNG to the screenshots directory; returns its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(screenshots);
            // from the top (the sticky bar would otherwise be drawn mid-page), once layout, fonts and charts settle
            ((JavascriptExecutor) driver).executeAsyncScript(
                    "const done = arguments[arguments.length - 1]; window.scrollTo(0, 0);"
                            + " requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));");
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) (Map<?, ?>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
            @SuppressWarnings("unchecked")
            Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
            double width = ((Number) content.get("width")).doubleValue();
            double height = Math.min(((Number) content.get("height")).doubleValue(), 8000);
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                    "format", "png", "captureBeyondViewport", true,
                    "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
            Path file = screenshots.resolve(name + ".png");
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Console messages at SEVERE level (script errors, refused loads, CSP violations). */
    public List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        try {
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    out.add(e.getMessage());
                }
            }
        } catch (RuntimeException unsupported) {
            // a driver without the log endpoint: nothing to report
        }
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp profile is harmless
            }
        }
    }
}
