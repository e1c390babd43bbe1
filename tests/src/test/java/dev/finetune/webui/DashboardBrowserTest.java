package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.finetune.api.ApiApplication;
import dev.finetune.api.tenancy.TenantSetup;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.IssuedApiKey;
import dev.finetune.core.job.JobId;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.core.progress.JobEvent;
import dev.finetune.core.progress.JobEventRepository;
import dev.finetune.core.progress.JobMetric;
import dev.finetune.core.progress.JobMetricRepository;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.testing.RealInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard in headless Chromium against the real API (real PostgreSQL, real S3Proxy): sign
 * in with a key, see a damaged dataset's line errors, upload a good one, submit a job once even on
 * a double click, watch curves draw, create and revoke a key; and screenshots of every main page
 * at desktop and phone widths in light and dark schemes ({@code target/screenshots/}).
 * Training itself (the curve growing from a real worker, promotion) is {@link JourneyBrowserIT}.
 */
@SpringBootTest(classes = ApiApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"finetune.datasets.max-upload-size=2MB", "finetune.datasets.error-cap=50"})
@RealInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    TenantSetup tenants;
    @Autowired
    ApiKeyRepository keys;
    @Autowired
    SegmentRepository segments;
    @Autowired
    BaseModelRepository models;
    @Autowired
    JobMetricRepository metrics;
    @Autowired
    JobEventRepository events;
    @Autowired
    JdbcClient jdbc;

    private Browser browser;
    private Tenant tenant;
    private String adminKey;
    private String submittedJobId;

    @BeforeAll
    void startBrowserAndTenant() {
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        // given: a tenant with an admin key, a second segment and the demo model's catalog entry
        tenant = tenants.create("webui-" + System.nanoTime());
        IssuedApiKey issued = ApiKey.issue(tenant.id(), "dashboard test", Set.of(ApiKeyScope.ADMIN, ApiKeyScope.SUBMIT, ApiKeyScope.READ));
        keys.save(issued.key());
        adminKey = issued.token().reveal();
        segments.save(tenant.newSegment(new SegmentName("acme-support")));
        models.save(BaseModel.ofTenant(tenant.id(), "tinystories-656k",
                ObjectKeys.tenantBaseModelPrefix(tenant.id(), "tinystories-656k"),
                Map.of("model_type", "llama", "hidden_size", 64, "num_hidden_layers", 8)));
        browser = Browser.open("http://127.0.0.1:" + port + "/");
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void refusesAnUnknownKeyInTheApisOwnWords() {
        // when
        browser.reload("#/jobs");
        WebElement input = browser.waitFor(By.cssSelector("input[name=api-key]"));
        browser.screenshot("sign-in-desktop-light");
        input.sendKeys("ftk_nothere_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        browser.driver().findElement(By.cssSelector("form.signin button[type=submit]")).click();

        // then: the 401 problem's title and detail, as the API words them
        WebElement problem = browser.waitFor(By.cssSelector("form.signin .problem"));
        assertThat(problem.getText()).contains("Missing or invalid API key").contains("Authorization: Bearer ftk_");
        assertThat(browser.driver().findElement(By.id("nav")).isDisplayed()).isFalse();
    }

    @Test
    @Order(2)
    void signsInWithAKeyAndShowsTheEmptyJobsList() {
        // when
        signIn();

        // then
        browser.waitUntilText(By.cssSelector(".view h1"), "Fine-tuning jobs");
        assertThat(browser.waitFor(By.cssSelector(".empty")).getText()).contains("No fine-tuning jobs yet");
        assertThat(browser.driver().findElement(By.id("session-key")).getText()).contains(adminKey.substring(0, 12));
        assertThat(browser.driver().executeScript("return sessionStorage.getItem('finetune.apiKey')")).isEqualTo(adminKey);
    }

    @Test
    @Order(3)
    void listsEveryBadLineOfADamagedDatasetWithItsField() throws IOException {
        // given: the real identity records as JSON Lines, line 3 without "output", line 7 cut in half,
        // line 12 without "instruction"
        List<String> lines = identityLines();
        lines.set(2, "{\"instruction\": \"Who are you?\", \"input\": \"\"}");
        lines.set(6, lines.get(6).substring(0, lines.get(6).length() / 2));
        lines.set(11, "{\"input\": \"\", \"output\": \"I am an assistant.\"}");
        Path damaged = Files.createTempDirectory("datasets").resolve("identity-damaged.jsonl");
        Files.writeString(damaged, String.join("\n", lines), StandardCharsets.UTF_8);

        // when
        browser.go("#/new");
        WebElement file = browser.waitFor(By.id("upload-training"));
        new Select(browser.driver().findElement(By.id("format-training"))).selectByValue("instruction");
        file.sendKeys(damaged.toString());
        uploadButton("training").click();

        // then: each bad line is listed with its number, the field where there is one, and a message
        browser.waitFor(By.cssSelector("#upload-result-training .problem"));
        List<WebElement> rows = browser.all(By.cssSelector("#upload-result-training tr.error-row"));
        Map<String, String> fieldByLine = rows.stream().collect(Collectors.toMap(
                r -> r.getAttribute("data-line"), r -> r.findElements(By.tagName("td")).get(1).getText(), (a, b) -> a));
        assertThat(fieldByLine.keySet()).containsExactlyInAnyOrder("3", "7", "12");
        assertThat(fieldByLine.get("3")).isEqualTo("output");
        assertThat(fieldByLine.get("12")).isEqualTo("instruction");
        assertThat(rows).allSatisfy(r -> assertThat(r.findElements(By.tagName("td")).get(2).getText()).isNotBlank());
        String problem = browser.driver().findElement(By.cssSelector("#upload-result-training .problem")).getText();
        assertThat(problem).contains("Dataset has invalid records").contains("first at line 3");
        browser.screenshot("new-job-damaged-dataset-desktop-light");
    }

    @Test
    @Order(4)
    void uploadsAGoodDatasetAndADoubleClickedSubmitMakesOneJob() {
        // given: the real file, as it is (a JSON array of Alpaca records)
        browser.go("#/jobs");
        browser.go("#/new");
        WebElement file = browser.waitFor(By.id("upload-training"));
        file.sendKeys(samples().resolve("datasets/llamafactory_identity.json").toString());
        uploadButton("training").click();
        WebElement ok = browser.waitFor(By.cssSelector("#upload-result-training .success"));
        assertThat(ok.getText()).contains("llamafactory_identity.json is valid").contains("instruction").contains("91");

        // when: a preset, a segment, a suffix, and a double click on submit
        browser.driver().findElement(By.cssSelector("button[data-preset=quick]")).click();
        new Select(browser.driver().findElement(By.name("segment"))).selectByValue("acme-support");
        browser.driver().findElement(By.name("suffix")).sendKeys("browser-test");
        assertThat(browser.driver().findElement(By.cssSelector(".changed")).getText()).contains("max_steps");
        WebElement submit = browser.driver().findElement(By.cssSelector(".submit-bar button[type=submit]"));
        new Actions(browser.driver()).scrollToElement(submit).doubleClick(submit).perform();

        // then: the job page opens, and the tenant has exactly one job
        browser.waitFor(By.cssSelector(".job-id"));
        submittedJobId = browser.text(By.cssSelector(".job-id"));
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/jobs/" + submittedJobId);
        browser.waitUntilText(By.cssSelector(".event-log"), "Job queued");
        assertThat(jdbc.sql("SELECT count(*) FROM fine_tuning_jobs WHERE tenant_id = :t")
                .param("t", tenant.id().value()).query(Long.class).single()).isEqualTo(1);
        JsonNode job = getJson("/api/v1/fine-tuning/jobs/" + submittedJobId);
        assertThat(job.path("segment").asString()).isEqualTo("acme-support");
        assertThat(job.path("hyperparameters").path("max_steps").asInt()).isEqualTo(20);
        assertThat(job.path("suffix").asString()).isEqualTo("browser-test");

        // and the list shows it
        browser.go("#/jobs");
        WebElement row = browser.waitFor(By.cssSelector("tr[data-job-id='" + submittedJobId + "']"));
        assertThat(row.getText()).contains("browser-test").contains("queued").contains("acme-support").contains("LoRA");
        assertThat(browser.all(By.cssSelector("table.jobs tbody tr"))).hasSize(1);
    }

    @Test
    @Order(5)
    void drawsTheCurvesAndFollowsNewMetricsAndEventsLive() {
        // given: the job is on screen
        assumeTrue(submittedJobId != null, "needs the job of the previous test");
        JobId job = new JobId(UUID.fromString(submittedJobId));
        browser.go("#/jobs/" + submittedJobId);
        browser.waitFor(By.cssSelector(".chart canvas"));

        // when: progress arrives as a worker writes it (metrics rows, then a slice event)
        Instant t0 = Instant.now().minusSeconds(60);
        for (int step = 1; step <= 12; step++) {
            double loss = 3.2 * Math.exp(-step / 8.0) + 0.6;
            Double eval = step % 4 == 0 ? loss + 0.15 : null;
            metrics.save(new JobMetric(job, step, step / 12.0, loss, eval, 2e-4 * Math.min(1, step / 2.0), 950.0 + step,
                    t0.plusSeconds(step * 3L)));
        }
        events.save(new JobEvent(job, EventLevel.INFO, "Trained steps 1-12 of 20, loss 1.0000",
                Map.of("first_step", 1, "last_step", 12, "total_steps", 20), Instant.now()));

        // then: the event arrives over SSE, the curves fill in, progress reads 12 of 20
        browser.waitUntilText(By.cssSelector(".event-log"), "Trained steps 1-12 of 20");
        browser.waitUntilText(By.cssSelector(".chart .chart-caption"), "12 points");
        browser.waitUntilText(By.cssSelector(".stats .progress-label"), "step 12 of 20");
        assertThat(browser.text(By.cssSelector(".live-state"))).startsWith("Live");
        browser.screenshot("job-detail-desktop-light");
    }

    @Test
    @Order(6)
    void createsAKeyShowsItOnceAndRevokesIt() throws Exception {
        // when
        browser.go("#/keys");
        browser.waitFor(By.cssSelector("table.keys"));
        browser.driver().findElement(By.name("name")).sendKeys("ci-pipeline");
        browser.driver().findElement(By.cssSelector("form.key-form button[type=submit]")).click();

        // then: the secret is shown once, with a copy button, and the list has its prefix
        WebElement secret = browser.waitFor(By.id("new-key-secret"));
        String key = secret.getAttribute("value");
        assertThat(key).startsWith("ftk_");
        assertThat(browser.driver().findElement(By.cssSelector(".copy-row button")).getText()).isEqualTo("Copy");
        assertThat(status("/api/v1/segments", key)).isEqualTo(200);
        String prefix = key.substring(0, key.indexOf('_', 4));
        WebElement row = browser.waitFor(By.cssSelector("tr[data-prefix='" + prefix + "']"));
        assertThat(row.getText()).contains("ci-pipeline").contains("read, submit").contains("active");
        browser.screenshot("keys-created-desktop-light");

        // when: revoked, after confirming
        row.findElement(By.cssSelector("button.danger")).click();
        browser.waitFor(By.xpath("//tr[@data-prefix='" + prefix + "']//button[text()='Yes, revoke']")).click();

        // then
        browser.waitFor(By.cssSelector("tr[data-prefix='" + prefix + "'][data-state=revoked]"));
        assertThat(status("/api/v1/segments", key)).isEqualTo(401);
        assertThat(browser.driver().findElement(By.id("new-key-secret")).isDisplayed()).isTrue();
    }

    @Test
    @Order(7)
    void showsTheRegistryPageAndTheApisAnswerWhenItHasNoRegistryYet() {
        // when
        browser.go("#/registry/acme-support");

        // then: either the registry's versions or the API's problem, never a blank page
        browser.waitFor(By.cssSelector(".registry-body .card, .registry-body .problem, .registry-body .empty"));
        assertThat(browser.driver().findElement(By.cssSelector(".registry-body")).getText()).isNotBlank();
    }

    @Test
    @Order(8)
    void screenshotsOfTheMainPagesAtBothWidthsInBothSchemes() {
        List<String[]> pages = List.of(
                new String[] {"jobs", "#/jobs", "table.jobs"},
                new String[] {"job-detail", "#/jobs/" + submittedJobId, ".chart canvas"},
                new String[] {"new-job", "#/new", ".params-grid"},
                new String[] {"registry", "#/registry/acme-support", ".registry-body > *:not(.loading)"},
                new String[] {"keys", "#/keys", "table.keys"});
        List<Path> written = new ArrayList<>();
        for (boolean dark : new boolean[] {false, true}) {
            for (int width : new int[] {Browser.DESKTOP_WIDTH, Browser.NARROW_WIDTH}) {
                browser.emulate(width, dark);
                String suffix = (width == Browser.NARROW_WIDTH ? "narrow" : "desktop") + "-" + (dark ? "dark" : "light");
                for (String[] page : pages) {
                    browser.go(page[1]);
                    browser.waitFor(By.cssSelector(page[2]));
                    written.add(browser.screenshot(page[0] + "-" + suffix));
                }
                if (width == Browser.NARROW_WIDTH) {
                    browser.driver().findElement(By.id("nav-toggle")).click();
                    browser.waitFor(By.cssSelector("#nav a[href='#/registry']"));
                    written.add(browser.screenshot("menu-open-" + suffix));
                    browser.driver().findElement(By.id("nav-toggle")).click();
                }
            }
        }
        browser.resetEmulation();
        assertThat(written).allSatisfy(p -> assertThat(p).isNotEmptyFile());
    }

    @Test
    @Order(9)
    void theConsoleShowsNoScriptErrorOrBlockedResource() {
        List<String> errors = browser.consoleErrors().stream()
                // the API's own 4xx answers (401 sign-in, 422 dataset) are logged by Chromium as failed loads
                .filter(e -> !e.matches("(?s).*status of (401|404|409|422) .*"))
                .toList();
        assertThat(errors).isEmpty();
    }

    @Test
    @Order(10)
    void signsOutAndForgetsTheKey() {
        browser.go("#/jobs");
        browser.waitFor(By.id("sign-out")).click();
        browser.waitFor(By.cssSelector("input[name=api-key]"));
        assertThat(browser.driver().executeScript("return sessionStorage.getItem('finetune.apiKey')")).isNull();
    }

    private void signIn() {
        browser.reload("#/jobs");
        WebElement input = browser.waitFor(By.cssSelector("input[name=api-key]"));
        input.clear();
        input.sendKeys(adminKey);
        browser.driver().findElement(By.cssSelector("form.signin button[type=submit]")).click();
        browser.waitFor(By.id("nav"));
    }

    private WebElement uploadButton(String role) {
        return browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='" + role + "']//button[normalize-space()='Upload and validate']"));
    }

    private int status(String path, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode getJson(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + adminKey).timeout(Duration.ofSeconds(10)).build();
            return JSON.readTree(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The real Alpaca identity records, one JSON object per line. */
    private static List<String> identityLines() throws IOException {
        JsonNode array = JSON.readTree(Files.readString(samples().resolve("datasets/llamafactory_identity.json")));
        List<String> lines = new ArrayList<>();
        array.forEach(r -> lines.add(JSON.writeValueAsString(r)));
        return lines;
    }

    static Path samples() {
        String dir = System.getProperty("samples.dir");
        return dir != null ? Path.of(dir) : Path.of("../samples");
    }
}
