package dev.finetune.webui;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;

import dev.finetune.e2e.LocalPlatformProcess;

/**
 * What the browser tests against the real local platform share: the platform started as the README
 * starts it ({@link LocalPlatformProcess}: a JVM of its own, a temporary home, a free port, a known
 * operator key), once per test JVM and stopped when it exits, or one already running; and, per test
 * class, headless Chromium on its dashboard. Skips the test (JUnit assumption) without Chromium.
 * The classes that share the platform keep apart by segment, so none depends on another's jobs,
 * versions or aliases.
 *
 * <p>Against a platform already running:
 *
 * <pre>
 * -Djourney.baseUrl=http://127.0.0.1:8080/ -Djourney.apiKey=ftk_... [-Djourney.timeout=PT4M]
 * </pre>
 */
final class LocalDashboard implements AutoCloseable {

    private static LocalPlatformProcess shared;

    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final Browser browser;

    private LocalDashboard(String baseUrl, String apiKey, Duration timeout, Browser browser) {
        this.baseUrl = baseUrl.replaceAll("/$", "");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.browser = browser;
    }

    static LocalDashboard open() {
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        String baseUrl = System.getProperty("journey.baseUrl");
        String apiKey = System.getProperty("journey.apiKey", System.getenv("FINETUNE_BOOTSTRAP_KEY"));
        if (baseUrl == null) {
            baseUrl = sharedPlatform().url();
            apiKey = LocalPlatformProcess.OPERATOR_KEY;
        }
        assumeTrue(apiKey != null, "set journey.apiKey (or FINETUNE_BOOTSTRAP_KEY) with journey.baseUrl");
        Duration timeout = Duration.parse(System.getProperty("journey.timeout", "PT4M"));
        return new LocalDashboard(baseUrl, apiKey, timeout, Browser.open(baseUrl));
    }

    private static synchronized LocalPlatformProcess sharedPlatform() {
        if (shared == null) {
            // small slices, so a job's curve visibly grows in several steps while a page watches
            shared = LocalPlatformProcess.start(Path.of(System.getProperty("e2e.logs.dir", "target/e2e-logs")),
                    "--finetune.worker.slice-steps=4");
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-dashboard-platform-stop"));
        }
        return shared;
    }

    Browser browser() {
        return browser;
    }

    /** The platform's root URL without a trailing slash (the API, the dashboard and {@code /v1} are under it). */
    String baseUrl() {
        return baseUrl;
    }

    /** The operator's key (or {@code journey.apiKey}). */
    String apiKey() {
        return apiKey;
    }

    /** How long a job may take to finish. */
    Duration timeout() {
        return timeout;
    }

    /** Closes the browser; the platform stays up for the next class and stops with the JVM. */
    @Override
    public void close() {
        browser.close();
    }
}
