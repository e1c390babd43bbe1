package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The product team's whole journey in a real browser against the running local platform (API,
 * worker, registry, the bundled {@code tinystories-656k} model): see a damaged dataset's line
 * errors, upload a real dataset, submit a QLoRA job, watch the loss curve grow while it trains, see
 * it succeed, promote the new version and see {@code production} move to it. Screenshots land in
 * {@code target/screenshots/journey-*.png}.
 *
 * <p>By default it starts the local platform as the README does ({@link dev.finetune.e2e.LocalPlatformProcess} through {@link LocalDashboard}: a JVM
 * of its own, a temporary home, a free port); against one already running:
 *
 * <pre>
 * -Djourney.baseUrl=http://127.0.0.1:8080/ -Djourney.apiKey=ftk_... [-Djourney.timeout=PT4M]
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class JourneyBrowserIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern POINTS = Pattern.compile("(\\d+) points");

    private LocalDashboard dashboard;
    private Browser browser;
    private DashboardSteps steps;
    private String apiKey;
    private Duration timeout;

    @BeforeAll
    void open() {
        dashboard = LocalDashboard.open();
        browser = dashboard.browser();
        steps = new DashboardSteps(browser);
        apiKey = dashboard.apiKey();
        timeout = dashboard.timeout();
    }

    @AfterAll
    void close() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void submitsAJobWatchesItTrainAndPromotesTheAdapter() {
        // given: signed in
        steps.signIn("#/jobs", apiKey);

        // when: a damaged copy of the dataset is uploaded first
        browser.go("#/new");
        steps.uploadTrainingFile(damagedDataset(), "instruction");

        // then: the page lists each bad line with its field
        browser.waitFor(By.cssSelector("#upload-result-training .problem"), Duration.ofSeconds(60));
        List<WebElement> rows = browser.all(By.cssSelector("#upload-result-training tr.error-row"));
        assertThat(rows.stream().map(r -> r.getAttribute("data-line")).toList()).containsExactly("4", "9");
        assertThat(rows.get(0).getText()).contains("output");
        browser.screenshot("journey-damaged-dataset");

        // when: the real dataset, the demo model, QLoRA, a short run
        browser.reload("#/new");
        assertThat(steps.uploadTrainingFile(DashboardBrowserTest.samples().resolve("datasets/llamafactory_identity.json"), null)
                .getAttribute("class")).contains("success");
        steps.chooseModelAndMethod("tinystories-656k", "qlora");
        browser.driver().findElement(By.cssSelector("button[data-preset=quick]")).click();
        steps.typeSettings(Map.of("max_steps", "120"));
        browser.driver().findElement(By.name("suffix")).sendKeys("journey");
        String jobId = steps.submitJob();

        // then: the job page, and the curve grows while it trains
        int first = waitForPoints(1, timeout);
        browser.screenshot("journey-training");
        // the curve grows while training runs; on a quiet machine the job may already be done, and then
        // the curve must hold every step
        int later = waitForPointsOrFinished(first + 1, timeout);
        assertThat(later).isGreaterThan(1).isGreaterThanOrEqualTo(first);

        // and it succeeds, with final metrics and the adapter's files
        assertThat(steps.awaitFinished(timeout)).isEqualTo("succeeded");
        assertThat(steps.outcome()).contains("Training succeeded").contains("Final eval loss").contains("adapter");
        browser.screenshot("journey-succeeded");

        // when: the new version is promoted to production (the confirm step names the version and
        // the gate's verdict before anything moves); then the alias has moved
        browser.go("#/registry/default");
        browser.waitFor(By.cssSelector("table.versions"), Duration.ofSeconds(30));
        WebElement newest = browser.driver().findElement(By.cssSelector("table.versions tbody tr[data-version]"));
        assertThat(newest.getText()).contains(jobId.substring(0, 8));
        steps.promote("default", Integer.parseInt(newest.getAttribute("data-version")), "production");
        browser.screenshot("journey-promoted");
    }

    /**
     * Issue 16: GSM8K's records ({@code question}/{@code answer}) mapped onto completion's fields on
     * the page, uploaded with that mapping, and a job on them trains to the end on the real worker.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void trainsAGsm8kUploadMappedOnThePage() {
        // given: signed in (by the journey before, or here)
        steps.signIn("#/new", apiKey);

        // when: the file, the format, the keys mapped (guessed by the page), uploaded
        browser.waitFor(By.id("upload-training")).sendKeys(DashboardBrowserTest.samples()
                .resolve("datasets/gsm8k_train_400.jsonl").toAbsolutePath().toString());
        new Select(browser.driver().findElement(By.id("format-training"))).selectByValue("completion");
        assertThat(browser.waitFor(By.id("map-training-prompt")).getAttribute("value")).isEqualTo("question");
        assertThat(browser.driver().findElement(By.id("map-training-completion")).getAttribute("value")).isEqualTo("answer");
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();
        assertThat(browser.waitFor(By.cssSelector("#upload-result-training .success"), Duration.ofSeconds(60)).getText())
                .contains("prompt ← question, completion ← answer").contains("400");
        steps.chooseModelAndMethod("tinystories-656k", "lora");
        steps.typeSettings(Map.of("max_steps", "8"));
        browser.driver().findElement(By.name("suffix")).sendKeys("gsm8k-mapped");
        steps.submitJob();

        // then: it trains on the mapped records and succeeds
        String status = steps.awaitFinished(timeout);
        assertThat(status).as(browser.driver().findElement(By.cssSelector(".view")).getText()).isEqualTo("succeeded");
        assertThat(browser.text(By.cssSelector(".stats .progress-label"))).contains("step 8");
        browser.screenshot("journey-gsm8k-mapped-succeeded");
    }

    /** The real identity records as JSON Lines, line 4 without "output", line 9 cut in half. */
    private static Path damagedDataset() {
        try {
            JsonNode records = JSON.readTree(Files.readString(DashboardBrowserTest.samples()
                    .resolve("datasets/llamafactory_identity.json")));
            List<String> lines = new ArrayList<>();
            records.forEach(r -> lines.add(JSON.writeValueAsString(r)));
            lines.set(3, "{\"instruction\": \"Who made you?\", \"input\": \"\"}");
            lines.set(8, lines.get(8).substring(0, lines.get(8).length() / 2));
            Path file = Files.createTempDirectory("journey").resolve("identity-damaged.jsonl");
            Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int waitForPointsOrFinished(int atLeast, Duration within) {
        return new WebDriverWait(browser.driver(), within)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            int points = 0;
            for (WebElement caption : d.findElements(By.cssSelector(".chart .chart-caption"))) {
                Matcher m = POINTS.matcher(caption.getText());
                if (m.find()) {
                    points = Math.max(points, Integer.parseInt(m.group(1)));
                }
            }
            boolean finished = d.findElements(By.cssSelector(".page-head .badge.status-succeeded")).size() > 0;
            return points >= atLeast || (finished && points > 0) ? points : null;
        });
    }

    private int waitForPoints(int atLeast, Duration within) {
        return new WebDriverWait(browser.driver(), within)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
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
