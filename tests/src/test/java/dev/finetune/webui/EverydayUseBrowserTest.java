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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.finetune.api.ApiApplication;
import dev.finetune.api.tenancy.TenantSetup;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.apikey.IssuedApiKey;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.progress.JobMetric;
import dev.finetune.core.progress.JobMetricRepository;
import dev.finetune.core.model.BaseModelRepository;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 16, the dashboard for everyday use, in headless Chromium against the real API (real
 * PostgreSQL, real S3Proxy): each page offers only what the signed-in key's scopes allow, and the
 * Keys page says what each scope allows as the API checks it. Shares {@link DashboardBrowserTest}'s
 * Spring context (same settings), so the API starts once for both.
 */
@SpringBootTest(classes = ApiApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"finetune.datasets.max-upload-size=2MB", "finetune.datasets.error-cap=50"})
@RealInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EverydayUseBrowserTest {

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
    FineTuningJobRepository jobRepository;
    @Autowired
    TransactionTemplate tx;

    private Browser browser;
    private Tenant tenant;
    private String adminKey;
    private String submitKey;
    private String readKey;

    @BeforeAll
    void startBrowserAndTenant() {
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        tenant = tenants.create("everyday-" + System.nanoTime());
        adminKey = issue("admin", ApiKeyScope.ADMIN);
        submitKey = issue("ci", ApiKeyScope.SUBMIT);
        readKey = issue("viewer", ApiKeyScope.READ);
        segments.save(tenant.newSegment(new SegmentName("acme-support")));
        models.save(BaseModel.ofTenant(tenant.id(), "tinystories-656k",
                ObjectKeys.tenantBaseModelPrefix(tenant.id(), "tinystories-656k"),
                Map.of("model_type", "llama", "hidden_size", 64, "num_hidden_layers", 8, "num_attention_heads", 8,
                        "intermediate_size", 256, "vocab_size", 512)));
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
    void aReadOnlyKeySeesNoWriteControls() {
        // when: signed in with a key that may only read
        signIn(readKey);

        // then: no page or button that only a writer could use
        browser.waitUntilText(By.cssSelector(".view h1"), "Fine-tuning jobs");
        assertThat(visibleNavLinks()).contains("Jobs", "Registry").doesNotContain("New job", "API keys");
        assertThat(browser.text(By.id("session-key"))).contains("read-only");
        assertThat(browser.all(By.cssSelector(".page-head a[href='#/new']"))).isEmpty();

        browser.go("#/new");
        assertThat(browser.waitFor(By.cssSelector(".view .notice")).getText()).contains("submit scope");
        assertThat(browser.all(By.cssSelector("input[type=file]"))).isEmpty();
        assertThat(browser.all(By.xpath("//button[normalize-space()='Start fine-tuning']"))).isEmpty();

        browser.go("#/keys");
        assertThat(browser.waitFor(By.cssSelector(".view .notice")).getText()).contains("admin scope");
        assertThat(browser.all(By.cssSelector("form.key-form"))).isEmpty();
        assertThat(browser.all(By.xpath("//button[normalize-space()='Create key']"))).isEmpty();

        browser.go("#/registry/acme-support");
        browser.waitFor(By.cssSelector(".registry-body .card, .registry-body .problem, .registry-body .empty"));
        assertThat(browser.all(By.id("promote-form"))).isEmpty();
        assertThat(browser.all(By.xpath("//button[starts-with(normalize-space(), 'Promote')]"))).isEmpty();
        browser.screenshot("scopes-read-only-registry-desktop-light");
    }

    @Test
    @Order(2)
    void aSubmitKeyMayPromoteAsTheKeysPageSaysAndTheApiAgrees() throws Exception {
        // given: the Keys page, as an admin sees it, says promoting is the submit scope's
        signIn(adminKey);
        browser.go("#/keys");
        WebElement scopes = browser.waitFor(By.cssSelector("fieldset.scopes"));
        String submitHint = scopes.findElement(By.xpath(".//label[.//strong[text()='submit']]")).getText();
        String adminHint = scopes.findElement(By.xpath(".//label[.//strong[text()='admin']]")).getText();
        assertThat(submitHint).contains("promote and roll back").contains("production");
        assertThat(adminHint).contains("keys").doesNotContain("promote and roll back");

        // then: the API lets a submit key move production (its answer is about the version, not the scope)
        // and refuses a read key with 403 naming the submit scope
        String alias = "/api/v1/registry/repositories/acme-support/aliases/production";
        String body = "{\"version\": 1, \"force\": false}";
        HttpResponse<String> bySubmit = send("PUT", alias, submitKey, body);
        assertThat(bySubmit.statusCode()).isNotIn(401, 403);
        HttpResponse<String> byReader = send("PUT", alias, readKey, body);
        assertThat(byReader.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(byReader.body()).path("requiredScope").asString()).isEqualTo("submit");

        // and the dashboard offers a submit key the promote form, but not the Keys page
        signIn(submitKey);
        assertThat(visibleNavLinks()).contains("Jobs", "New job", "Registry").doesNotContain("API keys");
        browser.go("#/registry/acme-support");
        browser.waitFor(By.cssSelector(".registry-body .card, .registry-body .problem, .registry-body .empty"));
        JsonNode self = JSON.readTree(send("GET", "/api/v1/api-keys/self", submitKey, null).body());
        assertThat(self.path("can").toString()).contains("submit").contains("read").doesNotContain("admin");
    }

    @Test
    @Order(3)
    void aJsonArrayDatasetsErrorsNameTheRecordFromOneAndTheLineItStartsOn() throws IOException {
        // given: the identity dataset as it ships (a pretty-printed JSON array), record 3 without "output"
        String text = Files.readString(DashboardBrowserTest.samples().resolve("datasets/llamafactory_identity.json"));
        JsonNode records = JSON.readTree(text);
        ((tools.jackson.databind.node.ObjectNode) records.get(2)).remove("output");
        String damaged = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(records);
        Path file = Files.createTempDirectory("datasets").resolve("identity-record3.json");
        Files.writeString(file, damaged, StandardCharsets.UTF_8);
        int line = startLineOfRecord(damaged, 3);

        // when
        signIn(submitKey);
        browser.go("#/new");
        browser.waitFor(By.id("upload-training")).sendKeys(file.toString());
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();

        // then: record 3 (not "line 2", the old 0-based index), starting on the line where its "{" is
        WebElement row = browser.waitFor(By.cssSelector("#upload-result-training tr.error-row"));
        assertThat(row.getAttribute("data-record")).isEqualTo("3");
        assertThat(row.getAttribute("data-line")).isEqualTo(String.valueOf(line));
        assertThat(row.getText()).contains("output");
        String problem = browser.text(By.cssSelector("#upload-result-training .problem"));
        assertThat(problem).contains("first at record 3 (line " + line + ")").containsIgnoringCase("Starts at line")
                .contains("Valid records").doesNotContain("validRows");
        browser.screenshot("new-job-json-array-errors-desktop-light");
    }

    @Test
    @Order(4)
    void hyperparameterErrorsAppearNextToTheirFieldsAsTypedAndTheApisToo() throws Exception {
        // given: the New job page with the real dataset uploaded
        browser.go("#/jobs");
        browser.go("#/new");
        browser.waitFor(By.id("upload-training")).sendKeys(DashboardBrowserTest.samples()
                .resolve("datasets/llamafactory_identity.json").toString());
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();
        browser.waitFor(By.cssSelector("#upload-result-training .success"));

        // when: two values out of the API's bounds are typed, nothing submitted
        type("lora_r", "0");
        type("n_epochs", "60");

        // then: each error is under its own field at once, by the bounds the API serves
        assertThat(browser.waitFor(By.cssSelector("[data-error-for=lora_r]")).getText()).isEqualTo("Must be at least 1 (was 0).");
        assertThat(browser.waitFor(By.cssSelector("[data-error-for=n_epochs]")).getText()).isEqualTo("Must be at most 50 (was 60).");
        assertThat(param("lora_r").getAttribute("aria-invalid")).isEqualTo("true");
        browser.screenshot("new-job-field-errors-desktop-light");

        // when: submitted anyway, nothing is sent and the first bad field has the focus
        long jobsBefore = jobCount();
        submit();
        assertThat(browser.waitFor(By.cssSelector(".submit-bar .field-error")).getText()).contains("2 fields").contains("n_epochs, lora_r");
        assertThat(browser.driver().switchTo().activeElement().getAttribute("name")).isEqualTo("n_epochs");
        assertThat(jobCount()).isEqualTo(jobsBefore);

        // when: fixed, the errors go; a rank the 64-wide base model cannot take passes the bounds but not the API
        type("n_epochs", "1");
        type("lora_r", "128");
        assertThat(browser.all(By.cssSelector("[data-error-for]")).stream().filter(WebElement::isDisplayed)).isEmpty();
        submit();

        // then: the API's error is shown next to the field it names
        browser.waitFor(By.cssSelector(".submit-bar .problem"));
        String apiError = browser.waitFor(By.cssSelector("[data-error-for=lora_r]")).getText();
        assertThat(apiError).contains("lora_r").contains("tinystories-656k");
        assertThat(jobCount()).isEqualTo(jobsBefore);
    }

    @Test
    @Order(5)
    void showsEachStepAsReportedQueuePositionsAndWhatACancelledJobTrained() throws Exception {
        // given: three jobs; the first taken by a worker (as a worker's claim moves it), two waiting
        String dataset = JSON.readTree(send("GET", "/api/v1/datasets?limit=1", adminKey, null).body())
                .path("data").get(0).path("id").asString();
        String live = createJob(dataset, "live-run");
        String second = createJob(dataset, "waiting-1");
        String third = createJob(dataset, "waiting-2");
        transition(live, JobStatus.RUNNING);

        // when: the jobs list
        browser.go("#/jobs");
        WebElement liveRow = browser.waitFor(By.cssSelector("tr[data-job-id='" + live + "']"));

        // then: a running job without a step is not "not started", queued ones say where they wait
        assertThat(liveRow.getText()).contains("running: waiting for step 1").doesNotContain("not started");
        assertThat(browser.text(By.cssSelector("tr[data-job-id='" + second + "']"))).contains("queued, #1 in line");
        assertThat(browser.text(By.cssSelector("tr[data-job-id='" + third + "']"))).contains("queued, #2 in line");

        // when: the live page is open and the worker records step 1
        browser.go("#/jobs/" + live);
        browser.waitUntilText(By.cssSelector(".stats .progress-label"), "waiting for step 1");
        assertThat(browser.driver().getTitle()).startsWith("live-run · running");
        JobId job = new JobId(UUID.fromString(live));
        Instant written = Instant.now();
        metrics.save(new JobMetric(job, 1, 0.01, 3.2, null, 2e-5, 900.0, written));

        // then: step 1 is on the page within a second of its metric
        new WebDriverWait(browser.driver(), Duration.ofSeconds(1)).pollingEvery(Duration.ofMillis(25))
                .ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector(".stats .progress-label")).getText().startsWith("step 1 of 30"));
        assertThat(Duration.between(written, Instant.now())).isLessThan(Duration.ofSeconds(1));

        // and each later step as it comes, one at a time
        for (int step = 2; step <= 20; step++) {
            metrics.save(new JobMetric(job, step, step / 100.0, 3.2 - step * 0.05, null, 2e-4, 900.0, Instant.now()));
        }
        browser.waitUntilText(By.cssSelector(".stats .progress-label"), "step 20 of 30");
        browser.screenshot("job-live-steps-desktop-light");

        // when: cancelled after 20 steps
        send("POST", "/api/v1/fine-tuning/jobs/" + live + "/cancel", adminKey, null);
        transition(live, JobStatus.CANCELLED);

        // then: the list says what it trained, its last loss and how long it ran
        browser.go("#/jobs");
        WebElement cancelled = browser.waitFor(By.cssSelector("tr[data-job-id='" + live + "'][data-status=cancelled]"));
        assertThat(cancelled.getText()).contains("step 20 of 30").contains("2.2").doesNotContain("not started")
                .doesNotContain("no step trained");
        assertThat(cancelled.findElement(By.cssSelector("td[data-label=Duration]")).getText()).matches("\\d+s|\\d+m \\d+s");
        browser.screenshot("jobs-progress-desktop-light");
    }

    @Test
    @Order(6)
    void clonesAJobIntoTheForm() throws Exception {
        // given: the cancelled job of the previous test
        JsonNode jobs = JSON.readTree(send("GET", "/api/v1/fine-tuning/jobs?limit=100", adminKey, null).body()).path("data");
        String source = null;
        for (JsonNode j : jobs) {
            if ("live-run".equals(j.path("suffix").asString())) {
                source = j.path("id").asString();
            }
        }
        assumeTrue(source != null, "needs the job of the previous test");

        // when
        browser.go("#/jobs/" + source);
        browser.waitFor(By.xpath("//a[normalize-space()='Clone into a new job']")).click();

        // then: the form holds its data, method and hyperparameters
        assertThat(browser.waitFor(By.cssSelector(".clone-note .notice")).getText()).contains("Cloned from job");
        assertThat(param("max_steps").getAttribute("value")).isEqualTo("30");
        assertThat(browser.driver().findElement(By.name("suffix")).getAttribute("value")).isEqualTo("live-run");
        assertThat(new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("dataset-training")))
                .getFirstSelectedOption().getAttribute("value")).isEqualTo(jobs.get(0).path("training_file").asString());
        assertThat(browser.text(By.cssSelector(".changed"))).contains("max_steps");
        browser.screenshot("new-job-cloned-desktop-light");
    }

    @Test
    @Order(7)
    void badgesMeetAaContrastInBothSchemesAndAPageChangeDrawsNoFrameAroundThePage() {
        signIn(adminKey);
        for (boolean dark : new boolean[] {false, true}) {
            browser.emulate(1440, dark);
            for (String route : List.of("#/jobs", "#/keys")) {
                browser.go(route);
                browser.waitFor(By.cssSelector("table .badge"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> badges = (List<Map<String, Object>>) browser.driver().executeScript(CONTRAST);
                assertThat(badges).isNotEmpty().allSatisfy(b -> assertThat(((Number) b.get("ratio")).doubleValue())
                        .as("%s badge '%s' (%s)", dark ? "dark" : "light", b.get("text"), route).isGreaterThanOrEqualTo(4.5));
            }
        }
        browser.resetEmulation();

        // when: a page change by keyboard (Enter on a nav link); the main region takes the focus
        browser.go("#/jobs");
        browser.waitFor(By.cssSelector("table.jobs"));
        WebElement registry = browser.driver().findElement(By.cssSelector("#nav a[href='#/registry']"));
        registry.sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.waitUntilText(By.cssSelector(".view h1"), "Model registry");

        // then: no focus frame around the whole page
        new WebDriverWait(browser.driver(), Duration.ofSeconds(5))
                .until(d -> "main".equals(browser.driver().executeScript("return document.activeElement.id")));
        assertThat(browser.driver().executeScript("return getComputedStyle(document.activeElement).outlineStyle"))
                .isEqualTo("none");
    }

    /** Each visible badge's text/background contrast (WCAG 2 relative luminance), from computed colours. */
    private static final String CONTRAST = """
            const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
            const lum = (rgb) => { const [r, g, b] = rgb.match(/[\\d.]+/g).map(Number);
              return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b); };
            return [...document.querySelectorAll('.badge')].filter((e) => e.offsetParent).map((e) => {
              const s = getComputedStyle(e); const a = lum(s.color); const b = lum(s.backgroundColor);
              return { text: e.textContent, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
            });""";

    @Test
    @Order(8)
    void mapsGsm8kKeysOnUploadWithAPreviewAndTheDatasetsPageReadsItAsTrainingWill() throws Exception {
        // given: GSM8K's records use question/answer, keys the platform does not know
        signIn(submitKey);
        browser.go("#/new");
        browser.waitFor(By.id("upload-training")).sendKeys(DashboardBrowserTest.samples()
                .resolve("datasets/gsm8k_train_400.jsonl").toString());
        WebElement mapping = browser.waitFor(By.cssSelector("fieldset.field-mapping[data-role=training]"));
        assertThat(mapping.getText()).contains("question, answer").contains("choose a format");

        // when: completion is chosen, the keys are offered and mapped, the first records shown as mapped
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("format-training"))).selectByValue("completion");
        assertThat(browser.waitFor(By.id("map-training-prompt")).getAttribute("value")).isEqualTo("question");
        assertThat(browser.driver().findElement(By.id("map-training-completion")).getAttribute("value")).isEqualTo("answer");
        WebElement first = browser.waitFor(By.cssSelector(".mapping-preview li.mapped-record[data-record='1']"));
        assertThat(first.getText()).contains("user: Natalia sold clips").contains("assistant: Natalia sold 48/2");
        browser.screenshot("new-job-field-mapping-desktop-light");
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();

        // then: accepted with its mapping, stored with it
        WebElement ok = browser.waitFor(By.cssSelector("#upload-result-training .success"));
        assertThat(ok.getText()).contains("completion").contains("400").contains("prompt ← question, completion ← answer");
        String id = ok.getAttribute("data-dataset-id");
        JsonNode stored = JSON.readTree(send("GET", "/api/v1/datasets/" + id, submitKey, null).body());
        assertThat(stored.path("field_mapping").path("prompt").asString()).isEqualTo("question");

        // and the dataset's page shows its first records as training reads them
        ok.findElement(By.linkText("Preview its records as the platform reads them")).click();
        WebElement record = browser.waitFor(By.cssSelector("li.preview-record[data-record='1']"));
        assertThat(record.getText()).contains("Record 1, line 1").contains("user: Natalia sold clips").contains("assistant:");
        assertThat(browser.text(By.cssSelector(".view"))).contains("prompt ← question").contains("no job yet");
        assertThat(browser.driver().getTitle()).startsWith("gsm8k_train_400.jsonl · Datasets");
        browser.screenshot("dataset-preview-desktop-light");
    }

    @Test
    @Order(9)
    void listsDatasetsByNameAndRefusesToDeleteOneAQueuedJobUses() throws Exception {
        // given: the dataset the queued jobs of the earlier tests train on
        String used = JSON.readTree(send("GET", "/api/v1/fine-tuning/jobs?status=queued&limit=1", adminKey, null).body())
                .path("data").get(0).path("training_file").asString();
        String usedName = JSON.readTree(send("GET", "/api/v1/datasets/" + used, adminKey, null).body()).path("name").asString();

        // when: the datasets page
        browser.go("#/datasets");
        WebElement row = browser.waitFor(By.cssSelector("tr[data-dataset-id='" + used + "']"));

        // then: by name, the id on hover
        WebElement link = row.findElement(By.cssSelector("a"));
        assertThat(link.getText()).isEqualTo(usedName);
        assertThat(link.getAttribute("title")).isEqualTo(used);
        browser.screenshot("datasets-desktop-light");

        // when: delete is confirmed on its page
        link.click();
        browser.waitFor(By.xpath("//button[normalize-space()='Delete…']")).click();
        browser.waitFor(By.xpath("//button[normalize-space()='Yes, delete it']")).click();

        // then: the API's refusal is shown and the dataset is still there
        assertThat(browser.waitFor(By.cssSelector(".page-head .problem")).getText()).contains("Not deleted").contains("not finished");
        assertThat(send("GET", "/api/v1/datasets/" + used, adminKey, null).statusCode()).isEqualTo(200);

        // and a job page names its training file, the id on hover
        String job = JSON.readTree(send("GET", "/api/v1/fine-tuning/jobs?status=queued&limit=1", adminKey, null).body())
                .path("data").get(0).path("id").asString();
        browser.go("#/jobs/" + job);
        WebElement file = browser.waitFor(By.xpath("//dt[text()='Training file']/following-sibling::dd[1]/a"));
        assertThat(file.getText()).isEqualTo(usedName);
        assertThat(file.getAttribute("title")).isEqualTo(used);
    }

    @Test
    @Order(10)
    void anAdminCreatesASegmentThatTheNewJobFormOffers() {
        signIn(adminKey);
        browser.go("#/registry");
        browser.waitFor(By.xpath("//button[normalize-space()='New segment…']")).click();
        WebElement name = browser.waitFor(By.name("segment-name"));
        name.sendKeys("Bad Name");
        browser.driver().findElement(By.xpath("//button[normalize-space()='Create segment']")).click();
        assertThat(browser.waitFor(By.cssSelector(".segment-form .field-error")).getText()).contains("lower-case");

        name.clear();
        name.sendKeys("emea-retail");
        browser.driver().findElement(By.xpath("//button[normalize-space()='Create segment']")).click();
        browser.waitUntilText(By.cssSelector(".registry-body"), "No adapter versions in emea-retail yet");

        browser.go("#/new");
        WebElement segment = browser.waitFor(By.name("segment"));
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(d -> segment.getText().contains("emea-retail"));
    }

    @Test
    @Order(11)
    void screenshotsOfTheNewPagesAt1440x900And390x844InBothSchemes() throws Exception {
        String dataset = JSON.readTree(send("GET", "/api/v1/datasets?limit=1", adminKey, null).body())
                .path("data").get(0).path("id").asString();
        String job = JSON.readTree(send("GET", "/api/v1/fine-tuning/jobs?limit=100", adminKey, null).body())
                .path("data").get(0).path("id").asString();
        List<String[]> pages = List.of(
                new String[] {"everyday-jobs", "#/jobs", "table.jobs"},
                new String[] {"everyday-datasets", "#/datasets", "table.datasets"},
                new String[] {"everyday-dataset-preview", "#/datasets/" + dataset, "li.preview-record"},
                new String[] {"everyday-job-detail", "#/jobs/" + job, ".stats .progress-label"},
                new String[] {"everyday-new-job-cloned", "#/new?from=" + job, ".clone-note .notice"});
        List<Path> written = new java.util.ArrayList<>();
        for (boolean dark : new boolean[] {false, true}) {
            for (int width : new int[] {Browser.DESKTOP_WIDTH, Browser.NARROW_WIDTH}) {
                browser.emulate(width, dark);
                String suffix = (width == Browser.NARROW_WIDTH ? "390x844" : "1440x900") + "-" + (dark ? "dark" : "light");
                for (String[] page : pages) {
                    browser.go("#/keys");
                    browser.go(page[1]);
                    browser.waitFor(By.cssSelector(page[2]));
                    written.add(browser.screenshot(page[0] + "-" + suffix));
                }
            }
        }
        browser.resetEmulation();
        assertThat(written).hasSize(20).allSatisfy(p -> assertThat(p).isNotEmptyFile());
    }

    private String createJob(String dataset, String suffix) throws Exception {
        String body = "{\"model\": \"tinystories-656k\", \"training_file\": \"" + dataset + "\", \"suffix\": \"" + suffix
                + "\", \"hyperparameters\": {\"max_steps\": 30}}";
        HttpResponse<String> r = send("POST", "/api/v1/fine-tuning/jobs", adminKey, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("id").asString();
    }

    /** Moves a job as the worker's queue would, through the aggregate (its status line is written with it). */
    private void transition(String jobId, JobStatus to) {
        tx.executeWithoutResult(s -> {
            FineTuningJob job = jobRepository.find(tenant.id(), new JobId(UUID.fromString(jobId))).orElseThrow();
            job.transitionTo(to, Instant.now());
            jobRepository.saveAndFlush(job);
        });
    }

    private WebElement param(String name) {
        return browser.driver().findElement(By.cssSelector(".params-grid [name=" + name + "]"));
    }

    private void type(String name, String value) {
        WebElement input = param(name);
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), value);
    }

    private void submit() {
        WebElement button = browser.driver().findElement(By.cssSelector(".submit-bar button[type=submit]"));
        new org.openqa.selenium.interactions.Actions(browser.driver()).scrollToElement(button).click(button).perform();
    }

    private long jobCount() throws Exception {
        JsonNode page = JSON.readTree(send("GET", "/api/v1/fine-tuning/jobs?limit=100", adminKey, null).body());
        return page.path("data").size();
    }

    /** The 1-based line on which the n-th record of a JSON array (one object per element) starts. */
    private static int startLineOfRecord(String json, int n) {
        int depth = 0;
        int seen = 0;
        int line = 1;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\n') {
                line++;
            } else if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (c == '{' && depth == 1 && ++seen == n) {
                    return line;
                }
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        throw new AssertionError("no record " + n);
    }

    private List<String> visibleNavLinks() {
        return browser.all(By.cssSelector("#nav li a")).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText).toList();
    }

    private String issue(String name, ApiKeyScope scope) {
        IssuedApiKey issued = ApiKey.issue(tenant.id(), name, Set.of(scope));
        keys.save(issued.key());
        return issued.token().reveal();
    }

    private void signIn(String key) {
        browser.signInFresh(key);
    }

    private HttpResponse<String> send(String method, String path, String key, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10));
        if (json != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
