package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The product team's whole journey in a real browser against the running local platform (API,
 * worker, registry, the bundled {@code tinystories-656k} model): upload a real dataset, submit a
 * QLoRA job, watch the loss curve grow while it trains, see it succeed, promote the new version
 * and see {@code production} move to it. Needs a worker and the registry, so it is tagged
 * {@code journey} (excluded in this module) and meant to run from {@code tests/} against the
 * standalone platform:
 *
 * <pre>
 * -Djourney.baseUrl=http://127.0.0.1:8080/ -Djourney.apiKey=ftk_... [-Djourney.timeout=PT10M]
 * </pre>
 */
@Tag("journey")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JourneyBrowserIT {

    private static final Pattern POINTS = Pattern.compile("(\\d+) points");

    private Browser browser;
    private String apiKey;
    private Duration timeout;

    @BeforeAll
    void open() {
        String baseUrl = System.getProperty("journey.baseUrl");
        apiKey = System.getProperty("journey.apiKey", System.getenv("FINETUNE_BOOTSTRAP_KEY"));
        assumeTrue(baseUrl != null && apiKey != null, "set journey.baseUrl and journey.apiKey (or FINETUNE_BOOTSTRAP_KEY)");
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver");
        timeout = Duration.parse(System.getProperty("journey.timeout", "PT10M"));
        browser = Browser.open(baseUrl);
    }

    @AfterAll
    void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void submitsAJobWatchesItTrainAndPromotesTheAdapter() {
        // given: signed in
        browser.reload("#/jobs");
        browser.waitFor(By.cssSelector("input[name=api-key]")).sendKeys(apiKey);
        browser.driver().findElement(By.cssSelector("form.signin button[type=submit]")).click();
        browser.waitFor(By.id("nav"));

        // when: a real dataset, the demo model, QLoRA, a short run
        browser.go("#/new");
        browser.waitFor(By.id("upload-training")).sendKeys(DashboardBrowserTest.samples()
                .resolve("datasets/llamafactory_identity.json").toAbsolutePath().toString());
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();
        browser.waitFor(By.cssSelector("#upload-result-training .success"), Duration.ofSeconds(60));
        new Select(browser.driver().findElement(By.name("model"))).selectByVisibleText(
                browser.driver().findElement(By.xpath("//select[@name='model']/option[starts-with(., 'tinystories-656k')]")).getText());
        browser.driver().findElement(By.cssSelector("input[name=method][value=qlora]")).click();
        browser.driver().findElement(By.cssSelector("button[data-preset=quick]")).click();
        WebElement maxSteps = browser.driver().findElement(By.name("max_steps"));
        maxSteps.clear();
        maxSteps.sendKeys("40");
        browser.driver().findElement(By.name("suffix")).sendKeys("journey");
        browser.driver().findElement(By.cssSelector(".submit-bar button[type=submit]")).click();

        // then: the job page, and the curve grows while it trains
        String jobId = browser.waitFor(By.cssSelector(".job-id"), Duration.ofSeconds(30)).getText();
        int first = waitForPoints(1, timeout);
        browser.screenshot("journey-training");
        int later = waitForPoints(first + 1, timeout);
        assertThat(later).isGreaterThan(first);

        // and it succeeds, with final metrics and the adapter's files
        new WebDriverWait(browser.driver(), timeout).until(d ->
                d.findElements(By.cssSelector(".badge.status-succeeded, .badge.status-failed")).size() > 0);
        assertThat(browser.driver().findElement(By.cssSelector(".page-head .badge")).getText()).isEqualTo("succeeded");
        WebElement outcome = browser.waitFor(By.cssSelector(".outcome .success"));
        assertThat(outcome.getText()).contains("Training succeeded").contains("Final eval loss").contains("adapter");
        browser.screenshot("journey-succeeded");

        // when: the new version is promoted to production
        browser.go("#/registry/default");
        browser.waitFor(By.cssSelector("table.versions"), Duration.ofSeconds(30));
        WebElement newest = browser.driver().findElement(By.cssSelector("table.versions tbody tr[data-version]"));
        assertThat(newest.getText()).contains(jobId.substring(0, 8));
        String version = newest.getAttribute("data-version");
        new Select(browser.driver().findElement(By.name("version"))).selectByValue(version);
        WebElement alias = browser.driver().findElement(By.name("alias"));
        alias.clear();
        alias.sendKeys("production");
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();

        // then: the gate's verdict, and the alias has moved
        browser.waitFor(By.cssSelector("#promote-form .success, #promote-form .problem"), Duration.ofSeconds(30));
        List<WebElement> blocked = browser.all(By.cssSelector("#promote-form .problem"));
        if (!blocked.isEmpty()) {
            // an earlier, better production version: the gate said why; force it with a reason
            assertThat(blocked.get(0).getText()).contains("gate");
            browser.driver().findElement(By.name("force")).click();
            browser.driver().findElement(By.name("reason")).sendKeys("journey test");
            browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        }
        browser.waitFor(By.cssSelector("li[data-alias=production][data-version='" + version + "']"), Duration.ofSeconds(30));
        browser.screenshot("journey-promoted");
    }

    private int waitForPoints(int atLeast, Duration within) {
        return new WebDriverWait(browser.driver(), within).until(d -> {
            for (WebElement caption : d.findElements(By.cssSelector(".chart .chart-caption"))) {
                Matcher m = POINTS.matcher(caption.getText());
                if (m.find() && Integer.parseInt(m.group(1)) >= atLeast) {
                    return Integer.parseInt(m.group(1));
                }
            }
            return null;
        });
    }
}
