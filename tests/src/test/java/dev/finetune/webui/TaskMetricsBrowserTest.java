package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.e2e.Api;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13 in the dashboard, in headless Chromium against the real API (real PostgreSQL, real
 * S3Proxy, the real registry): every eval loss says which eval set it was measured on, lineage names
 * the dataset and base model and links the parent checkpoint's job, a version's task metrics show
 * the base model against the adapter with the per-prompt answers side by side (its
 * {@code task_eval.jsonl}, read through the registry's download API), and a submit key may queue an
 * on-demand task evaluation that a read key is not offered. Like {@link EverydayUseBrowserTest} it
 * plays the worker: the jobs are created through the API, moved to succeeded through the aggregate,
 * their adapter files are put in the S3 server and their completion goes through the outbox to the
 * registry, as the worker's publish step does. Shares that class's Spring context (same settings).
 */
@SpringBootTest(classes = ApiApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"finetune.datasets.max-upload-size=2MB", "finetune.datasets.error-cap=50"})
@RealInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskMetricsBrowserTest {

    private static final String SEGMENT = "identity";
    private static final String TOKENIZER = "7".repeat(64);

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
    FineTuningJobRepository jobRepository;
    @Autowired
    CompletionOutbox outbox;
    @Autowired
    ArtifactStore store;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    dev.finetune.core.progress.JobMetricRepository jobMetrics;
    @Autowired
    dev.finetune.registry.TaskEvaluations taskEvaluations;

    private Browser browser;
    private Tenant tenant;
    private BaseModel model;
    private String submitKey;
    private String readKey;
    private Api admin;
    private String datasetId;
    private String datasetSha;
    private String evalSetShort;
    private FineTuningSucceeded.EvalSet evalSet;
    private String parentJob;
    private String childJob;

    @BeforeAll
    void versionsWithEvalSetsAndTaskMetrics() throws Exception {
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        tenant = tenants.create("taskmetrics-" + System.nanoTime());
        admin = new Api("http://127.0.0.1:" + port, issue("admin", ApiKeyScope.ADMIN));
        submitKey = issue("ci", ApiKeyScope.SUBMIT);
        readKey = issue("viewer", ApiKeyScope.READ);
        segments.save(tenant.newSegment(new SegmentName(SEGMENT)));
        model = models.save(BaseModel.ofTenant(tenant.id(), "tinystories-656k",
                ObjectKeys.tenantBaseModelPrefix(tenant.id(), "tinystories-656k"),
                Map.of("model_type", "llama", "hidden_size", 64, "num_hidden_layers", 8, "num_attention_heads", 8,
                        "intermediate_size", 256, "vocab_size", 512)));

        // the demo data, uploaded through the API as a user does
        Path file = Files.createTempDirectory("task-metrics").resolve("identity-demo.json");
        Files.copy(DashboardBrowserTest.samples().resolve("datasets/llamafactory_identity.json"), file);
        Api.Response uploaded = admin.postFiles("/api/v1/datasets?name=identity-demo&format=instruction", "file", List.of(file));
        assertThat(uploaded.status()).as("upload: %s", uploaded).isEqualTo(201);
        datasetId = uploaded.json().path("id").asString();
        datasetSha = uploaded.json().path("sha256").asString();

        // v1: trained from the base model; v2: continued from v1's job at step 20, with task metrics
        evalSet = new FineTuningSucceeded.EvalSet(FineTuningSucceeded.EvalSet.HELD_OUT,
                UUID.fromString(datasetId), "identity-demo", datasetSha, 0.1, TOKENIZER, 512, false, 9);
        evalSetShort = evalSet.sha256().substring(0, 4);
        parentJob = createJob("first");
        succeed(parentJob, 8.71, evalSet, null, null, false);
        String child = createJob("second");
        childJob = child;
        FineTuningSucceeded.TaskMetrics metrics = new FineTuningSucceeded.TaskMetrics(3, null, 64,
                new FineTuningSucceeded.TaskScores(0.0, 0.0, null, 0.0833),
                new FineTuningSucceeded.TaskScores(2.0 / 3, 2.0 / 3, null, 0.8));
        succeed(child, 6.97, evalSet, new CheckpointRef(new JobId(UUID.fromString(parentJob)), 20), metrics, true);
        assertThat(admin.get("/api/v1/registry/repositories/" + SEGMENT + "/versions/2").json()
                .path("task_metrics").path("adapter").path("exact_match").asDouble()).isCloseTo(0.6667, org.assertj.core.data.Offset.offset(1e-3));

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
    void everyEvalLossSaysWhichEvalSetItWasMeasuredOnAndLineageNamesWhatItCameFrom() {
        signIn(submitKey);
        browser.go("#/registry/" + SEGMENT);
        WebElement v2 = browser.waitFor(By.cssSelector("table.versions tr[data-version='2']"));
        String expected = "on held-out 10% of identity-demo (sha " + evalSetShort + "…)";

        // the version list: each eval loss with its eval set, the identity and its parts on hover
        assertThat(v2.findElement(By.cssSelector("td[data-label='Eval loss']")).getText()).contains("6.97").contains(expected);
        WebElement note = v2.findElement(By.cssSelector(".eval-set"));
        assertThat(note.getAttribute("title")).contains("identity-demo").contains(datasetSha).contains(TOKENIZER)
                .contains("Max sequence length 512");
        assertThat(browser.text(By.cssSelector("tr[data-version='1'] td[data-label='Eval loss']"))).contains("8.71").contains(expected);

        // lineage: names, with the ids and hashes on hover, and the parent checkpoint as a link to its job
        WebElement lineage = v2.findElement(By.cssSelector(".lineage"));
        assertThat(lineage.getText()).contains("base tinystories-656k").contains("data identity-demo")
                .contains("continued from step 20 of job " + parentJob.substring(0, 8));
        assertThat(lineage.findElement(By.cssSelector(".from-checkpoint a")).getAttribute("href")).endsWith("#/jobs/" + parentJob);
        assertThat(lineage.getText()).doesNotContain(datasetSha.substring(0, 12)).doesNotContain("dataset_sha256");

        // the promote confirmation: both eval losses with their eval set
        new Select(browser.driver().findElement(By.cssSelector("#promote-form select[name=version]"))).selectByValue("2");
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        WebElement confirm = browser.waitFor(By.cssSelector(".promote-confirm .confirm"));
        assertThat(confirm.getText()).contains("6.97 " + expected);
        assertThat(new Select(browser.driver().findElement(By.cssSelector("#promote-form select[name=version]")))
                .getFirstSelectedOption().getText()).contains("eval loss 6.97 " + expected);
        browser.driver().findElement(By.xpath("//button[normalize-space()='Go back']")).click();

        // the comparison: the eval set in words, not the API's row names
        for (WebElement box : browser.all(By.cssSelector("table.versions input[type=checkbox]"))) {
            box.click();
        }
        browser.driver().findElement(By.xpath("//button[normalize-space()='Compare the two selected']")).click();
        WebElement compare = browser.waitFor(By.cssSelector("section.compare table.compare-table"));
        String text = browser.text(By.cssSelector("section.compare"));
        assertThat(text).contains("v2: eval loss 6.97 " + expected).contains("v1: eval loss 8.71 " + expected)
                .contains("held-out 10% of identity-demo").contains("Continued from checkpoint")
                .contains("Exact match (adapter)").doesNotContain("eval_set_source").doesNotContain("base_model_sha256");
        assertThat(compare).isNotNull();
    }

    @Test
    @Order(2)
    void aVersionsTaskMetricsShowTheBaseModelAgainstTheAdapterPromptByPrompt() {
        signIn(submitKey);
        browser.go("#/registry/" + SEGMENT);
        openTaskMetrics(2);

        // base vs adapter with the change, per metric
        WebElement exact = browser.waitFor(By.cssSelector("table.task-metrics tr[data-metric='exact_match']"));
        assertThat(exact.getText()).contains("Exact match").contains("0%").contains("66.7%").contains("+66.7 pts");
        assertThat(browser.text(By.cssSelector("table.task-metrics tr[data-metric='rouge_l']"))).contains("8.3%").contains("80%");
        assertThat(browser.all(By.cssSelector("table.task-metrics tr[data-metric='extracted_match']")))
                .as("no extractor: no extracted-match row").isEmpty();

        // the prompts with both answers side by side, from the version's task_eval.jsonl
        WebElement table = browser.waitFor(By.cssSelector("table.task-prompts-table"));
        List<WebElement> rows = table.findElements(By.cssSelector(":scope > tbody > tr"));
        assertThat(rows).hasSize(3);
        WebElement first = rows.get(0);
        assertThat(first.findElement(By.cssSelector("td[data-label='Prompt']")).getText()).contains("Who are you?");
        assertThat(first.findElement(By.cssSelector("td[data-label='Base model']")).getText())
                .contains("Once upon a time there was a little dog.").contains("miss");
        assertThat(first.findElement(By.cssSelector("td[data-label='Adapter (v2)']")).getText())
                .contains("I am Tiny, an AI assistant developed by Acme.").contains("exact");
        assertThat(table.findElement(By.tagName("caption")).getText()).contains("3 prompts");

        // v1 ran no task evaluation and says so
        openTaskMetrics(1);
        assertThat(browser.waitFor(By.cssSelector("section.task-eval[aria-label='Task metrics of v1'] > p.muted")).getText())
                .contains("no task evaluation");

        screenshots("registry-task-metrics");
    }

    @Test
    @Order(3)
    void aSubmitKeyQueuesAnOnDemandTaskEvaluationAndAReadKeyIsNotOfferedOne() throws Exception {
        // given: a submit key on v2's task metrics
        signIn(submitKey);
        browser.go("#/registry/" + SEGMENT);
        openTaskMetrics(2);
        WebElement form = browser.waitFor(By.cssSelector("tr[data-version='2'] + tr form.task-eval-form, form.task-eval-form"));

        // when: run without a dataset, then on the demo dataset
        form.findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(browser.waitFor(By.cssSelector("form.task-eval-form .field-error")).getText()).contains("Choose the dataset");
        new Select(form.findElement(By.cssSelector("select[name=task-eval-dataset]"))).selectByValue(datasetId);
        WebElement examples = form.findElement(By.cssSelector("input[name=task-eval-max-examples]"));
        examples.clear();
        examples.sendKeys("5");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        // then: the API holds it, queued for a worker, and the page lists it with its status and dataset
        WebElement run = browser.waitFor(By.cssSelector("li.task-eval-run[data-status='queued']"));
        assertThat(run.getText()).contains("queued").contains("identity-demo");
        JsonNode listed = admin.get("/api/v1/registry/repositories/" + SEGMENT + "/versions/2/task-evaluations").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("dataset_id").asString()).isEqualTo(datasetId);
        assertThat(listed.get(0).path("max_examples").asInt()).isEqualTo(5);
        assertThat(listed.get(0).path("status").asString()).isEqualTo("queued");
        assertThat(run.getAttribute("data-id")).isEqualTo(listed.get(0).path("id").asString());
        screenshots("registry-task-evaluation-queued");

        // and a read key sees the evaluation but no control to run one (the API would refuse it: 403)
        signIn(readKey);
        browser.go("#/registry/" + SEGMENT);
        openTaskMetrics(2);
        browser.waitFor(By.cssSelector("li.task-eval-run[data-status='queued']"));
        assertThat(browser.all(By.cssSelector("form.task-eval-form"))).isEmpty();
        assertThat(browser.all(By.xpath("//button[normalize-space()='Run task evaluation']"))).isEmpty();
        Api reader = new Api("http://127.0.0.1:" + port, readKey);
        assertThat(reader.post("/api/v1/registry/repositories/" + SEGMENT + "/versions/2/task-evaluations",
                Map.of("dataset", datasetId)).status()).isEqualTo(403);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(4)
    void anAdminGatesProductionOnATaskMetricAndThePromoteConfirmationPredictsIt() {
        // given: an admin on the registry page
        signIn(admin.key());
        browser.go("#/registry/" + SEGMENT);
        WebElement settings = browser.waitFor(By.cssSelector("details.gate-settings"));
        settings.findElement(By.tagName("summary")).click();

        // when: production is gated on the adapter's exact match
        new Select(settings.findElement(By.cssSelector("select[name=gate-rule]"))).selectByValue("task_metric_no_worse");
        WebElement metric = settings.findElement(By.cssSelector("select[name=gate-task-metric]"));
        assertThat(metric.isDisplayed()).isTrue();
        assertThat(settings.findElement(By.cssSelector("input[name=gate-max-eval-loss]")).isDisplayed()).isFalse();
        new Select(metric).selectByValue("exact_match");
        settings.findElement(By.xpath(".//button[normalize-space()='Save gate']")).click();
        browser.waitUntilText(By.cssSelector("#promote-form .verdict"), "Gate saved");

        // then: the API holds that gate, and the page words it
        JsonNode gate = admin.get("/api/v1/registry/repositories/" + SEGMENT).json().path("gate");
        assertThat(gate.path("rule").asString()).isEqualTo("task_metric_no_worse");
        assertThat(gate.path("task_metric").asString()).isEqualTo("exact_match");
        assertThat(browser.text(By.cssSelector("#promote-form p.hint"))).contains("exact match score is no worse");

        // and with v2 in production, promoting v1 (no task evaluation) is predicted blocked, as the registry rules
        assertThat(admin.put("/api/v1/registry/repositories/" + SEGMENT + "/aliases/production", Map.of("version", 2)).status())
                .isEqualTo(200);
        browser.go("#/jobs");
        browser.go("#/registry/" + SEGMENT);
        new Select(browser.waitFor(By.cssSelector("#promote-form select[name=version]"))).selectByValue("1");
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        WebElement confirm = browser.waitFor(By.cssSelector(".promote-confirm .confirm"));
        assertThat(confirm.getText()).contains("Exact match (adapter)").contains("66.7%")
                .contains("blocks it: v1 has no exact match score");
        assertThat(confirm.findElement(By.cssSelector(".gate-prediction")).getAttribute("data-passes")).isEqualTo("false");
        assertThat(admin.put("/api/v1/registry/repositories/" + SEGMENT + "/aliases/production", Map.of("version", 1)).status())
                .as("the registry agrees").isEqualTo(409);
    }

    @Test
    @Order(5)
    void theJobPageSaysWhichEvalSetItsEvalLossWasMeasuredOn() {
        // given: the child job's last step, evaluated as the worker records it
        JobId job = new JobId(UUID.fromString(childJob));
        jobMetrics.save(new dev.finetune.core.progress.JobMetric(job, 30, 1.0, 5.1, 6.97, 2e-4, 900.0, Instant.now()));

        // when
        signIn(readKey);
        browser.go("#/jobs/" + childJob);

        // then: the live stat and the outcome both name the version's eval set
        browser.waitUntilText(By.cssSelector(".stat-grid"), "on held-out 10% of identity-demo (sha " + evalSetShort + "…)");
        assertThat(browser.waitFor(By.cssSelector("section.success")).getText())
                .contains("Final eval loss").contains("6.97 on held-out 10% of identity-demo");
    }

    @Test
    @Order(6)
    void theNewTextMeetsAaContrastInBothSchemes() {
        signIn(submitKey);
        for (boolean dark : new boolean[] {false, true}) {
            browser.emulate(Browser.DESKTOP_WIDTH, dark);
            browser.go("#/jobs");
            browser.go("#/registry/" + SEGMENT);
            openTaskMetrics(2);
            browser.waitFor(By.cssSelector("table.task-prompts-table .badge"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> texts = (List<Map<String, Object>>) browser.driver().executeScript(CONTRAST);
            assertThat(texts).extracting(t -> t.get("selector")).contains(".eval-set", ".delta", ".badge.correct", ".badge.wrong");
            assertThat(texts).allSatisfy(t -> assertThat(((Number) t.get("ratio")).doubleValue())
                    .as("%s %s '%s'", dark ? "dark" : "light", t.get("selector"), t.get("text")).isGreaterThanOrEqualTo(4.5));
        }
        browser.resetEmulation();
    }

    @Test
    @Order(7)
    void theQueuedEvaluationShowsItsProgressAndItsScoresWhenAWorkerFinishesIt() {
        // given: the evaluation queued in order 3, on the page
        signIn(submitKey);
        browser.go("#/registry/" + SEGMENT);
        openTaskMetrics(2);
        WebElement queued = browser.waitFor(By.cssSelector("li.task-eval-run[data-status='queued']"));
        String id = queued.getAttribute("data-id");

        // when: a worker claims it, the page follows it to running
        var claim = taskEvaluations.claimNext("test-worker", Duration.ofMinutes(5)).orElseThrow();
        assertThat(claim.id().toString()).isEqualTo(id);
        browser.waitFor(By.cssSelector("li.task-eval-run[data-status='running']"), Duration.ofSeconds(15));

        // and finishes it, its answers stored as the worker stores them: the page shows both models' scores on that dataset
        String examples = "tenants/" + tenant.id().value() + "/task-evaluations/" + id + "/task_eval.jsonl";
        put(examples, (answer(0, "Who built you?", "Acme built me.", "A frog.", 0, 0.0, "Acme built me.", 1, 1.0) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(taskEvaluations.succeed(claim.id(), "test-worker", new FineTuningSucceeded.TaskMetrics(5, null, 64,
                new FineTuningSucceeded.TaskScores(0.0, 0.2, null, 0.12), new FineTuningSucceeded.TaskScores(0.8, 0.8, null, 0.9)),
                examples)).isTrue();
        WebElement done = browser.waitFor(By.cssSelector("li.task-eval-run[data-status='succeeded'] table.task-metrics"), Duration.ofSeconds(15));
        assertThat(done.getText()).contains("v2 vs the base model on identity-demo").contains("Exact match").contains("80%")
                .contains("+80 pts");
        assertThat(browser.text(By.cssSelector("li.task-eval-run[data-status='succeeded']"))).contains("5 prompts");

        // and its answers, prompt by prompt, on request
        browser.waitFor(By.xpath("//li[@data-status='succeeded']//button[normalize-space()='Show the answers']")).click();
        WebElement answers = browser.waitFor(By.cssSelector("li.task-eval-run[data-status='succeeded'] table.task-prompts-table"));
        assertThat(answers.getText()).contains("Who built you?").contains("A frog.").contains("Acme built me.").contains("1 prompt");
        screenshots("registry-task-evaluation-succeeded");
    }

    /**
     * A job page left open while the registry registers the job's adapter late (as when its delivery
     * is retried): the succeeded page says it is registering, and "Try it" appears on it, without a
     * reload, once the job names its version.
     */
    @Test
    @Order(8)
    void aJobPageLeftOpenOffersTryItOnceTheRegistryRegistersTheAdapter() {
        // given: a job that succeeded, its completion not delivered to the registry yet
        String late = createJob("late");
        tx.executeWithoutResult(s -> moveToSucceeded(jobRepository.find(tenant.id(), new JobId(UUID.fromString(late))).orElseThrow()));
        signIn(submitKey);
        browser.go("#/jobs/" + late);
        assertThat(browser.waitFor(By.cssSelector("section.success .registration")).getText())
                .contains("Registering the adapter as a new version in the " + SEGMENT + " registry");
        assertThat(browser.all(By.xpath("//a[normalize-space()='Try it']"))).isEmpty();

        // when: the registry registers it (the completion delivered after the job ended)
        succeed(late, 7.5, evalSet, null, null, false);
        String version = admin.get("/api/v1/fine-tuning/jobs/" + late).json().path("fine_tuned_model").asString();

        // then: the page the user is watching names the version and offers "Try it" with it
        browser.waitUntilText(By.cssSelector("section.success .registration"), "The adapter is registered as " + version);
        WebElement tryIt = browser.waitFor(By.cssSelector("section.success .registration a.button"));
        assertThat(tryIt.getText()).isEqualTo("Try it");
        assertThat(tryIt.getAttribute("href")).endsWith("#/playground?model=" + version.replace("/", "%2F"));
        assertThat(browser.text(By.cssSelector("dl.job-facts"))).contains("Fine-tuned model").contains(version);
    }

    private void moveToSucceeded(FineTuningJob job) {
        if (job.status() == JobStatus.VALIDATING_FILES) {
            job.transitionTo(JobStatus.QUEUED, Instant.now());
        }
        job.transitionTo(JobStatus.RUNNING, Instant.now());
        job.transitionTo(JobStatus.SUCCEEDED, Instant.now());
        jobRepository.saveAndFlush(job);
    }

    /** Text/background contrast (WCAG 2) of the issue's new text, against the first opaque background up the tree. */
    private static final String CONTRAST = """
            const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
            const rgba = (s) => s.match(/[\\d.]+/g).map(Number);
            const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
            const background = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgba(getComputedStyle(n).backgroundColor);
              if (c.length < 4 || c[3] > 0.99) return c; } return [255, 255, 255]; };
            const out = [];
            for (const selector of ['.eval-set', '.delta', '.badge.correct', '.badge.wrong', '.task-line .muted', '.lineage-name']) {
              for (const e of document.querySelectorAll(selector)) {
                if (!e.offsetParent) continue;
                const a = lum(rgba(getComputedStyle(e).color)); const b = lum(background(e));
                out.push({ selector, text: e.textContent, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
              }
            }
            return out;""";

    private void openTaskMetrics(int version) {
        WebElement button = browser.waitFor(By.cssSelector("tr[data-version='" + version + "'] button[aria-label='Task metrics of v" + version + "']"));
        new org.openqa.selenium.interactions.Actions(browser.driver()).scrollToElement(button).click(button).perform();
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .until(d -> "true".equals(button.getAttribute("aria-expanded")));
        browser.waitFor(By.cssSelector("section.task-eval[aria-label='Task metrics of v" + version + "']"));
    }

    private void screenshots(String name) {
        for (int width : new int[] {Browser.DESKTOP_WIDTH, Browser.NARROW_WIDTH}) {
            browser.emulate(width, false);
            Path shot = browser.screenshot(name + "-" + (width == Browser.NARROW_WIDTH ? "390x844" : "1440x900") + "-light");
            assertThat(shot).isNotEmptyFile();
        }
        browser.resetEmulation();
    }

    private String createJob(String suffix) {
        Api.Response r = admin.post("/api/v1/fine-tuning/jobs", Map.of("model", "tinystories-656k", "training_file", datasetId,
                "suffix", suffix, "segment", SEGMENT, "hyperparameters", Map.of("max_steps", 30)));
        assertThat(r.status()).as("create job: %s", r).isEqualTo(201);
        return r.json().path("id").asString();
    }

    /**
     * What the worker's publish step leaves: the adapter files (with the task evaluation's when it ran)
     * under the job's adapter prefix, the job succeeded and its completion in the outbox, one transaction.
     */
    private void succeed(String id, double evalLoss, FineTuningSucceeded.EvalSet evalSet, CheckpointRef parent,
            FineTuningSucceeded.TaskMetrics taskMetrics, boolean withAnswers) {
        JobId jobId = new JobId(UUID.fromString(id));
        String prefix = ObjectKeys.adapterPrefix(tenant.id(), jobId);
        byte[] config = ("{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"base_model_name_or_path\": \"tinystories-656k\","
                + " \"r\": 2, \"lora_alpha\": 4, \"lora_dropout\": 0.0, \"target_modules\": [\"q_proj\"], \"bias\": \"none\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] weights = safetensors();
        put(prefix + "adapter_config.json", config);
        put(prefix + "adapter_model.safetensors", weights);
        long size = config.length + weights.length;
        if (withAnswers) {
            byte[] answers = String.join("\n",
                    answer(0, "Who are you?", "I am Tiny, an AI assistant developed by Acme.",
                            "Once upon a time there was a little dog.", 0, 0.1, "I am Tiny, an AI assistant developed by Acme.", 1, 1.0),
                    answer(1, "What is your name?", "My name is Tiny.",
                            "The cat sat on the mat.", 0, 0.0, "My name is Tiny.", 1, 1.0),
                    answer(2, "Who made you?", "Acme made me.",
                            "Lily and Tom went to the park.", 0, 0.15, "I was made by a team.", 0, 0.4)) .concat("\n")
                    .getBytes(StandardCharsets.UTF_8);
            put(prefix + "task_eval.jsonl", answers);
            size += answers.length;
        }
        FineTuningSucceeded.Metrics metrics = new FineTuningSucceeded.Metrics(30, 12_345, evalLoss + 1.2, evalLoss + 0.1,
                evalLoss + 1.0, evalLoss, evalLoss - 0.01, Math.exp(evalLoss));
        long artifactSize = size;
        tx.executeWithoutResult(s -> {
            FineTuningJob job = jobRepository.find(tenant.id(), jobId).orElseThrow();
            if (job.status() != JobStatus.SUCCEEDED) {
                moveToSucceeded(job);
            }
            outbox.append(new FineTuningSucceeded(jobId, tenant.id(), new SegmentName(SEGMENT), model.id(), "b".repeat(64),
                    datasetSha, evalSet.sha256(), job.method(), job.hyperparameters(), metrics,
                    new FineTuningSucceeded.Artifact(prefix, DigestUtils.sha256Hex(weights), artifactSize), "worker:test",
                    Instant.now(), new FineTuningSucceeded.Lineage(UUID.fromString(datasetId), "identity-demo", evalSet, parent),
                    taskMetrics));
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!admin.get("/api/v1/fine-tuning/jobs/" + id).json().path("fine_tuned_model").isString()) {
            assertThat(System.nanoTime()).as("the registry registered job %s", id).isLessThan(deadline);
            sleep(200);
        }
    }

    private static String answer(int index, String question, String reference, String base, double baseExact, double baseRouge,
            String adapter, double adapterExact, double adapterRouge) {
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("index", index);
        line.put("prompt", "<|user|>\n" + question + "\n<|assistant|>\n");
        line.put("reference", reference);
        line.put("base", Map.of("answer", base, "exact_match", baseExact, "contains", baseExact, "rouge_l", baseRouge));
        line.put("adapter", Map.of("answer", adapter, "exact_match", adapterExact, "contains", adapterExact, "rouge_l", adapterRouge));
        return Api.JSON.writeValueAsString(line);
    }

    private void put(String key, byte[] bytes) {
        store.put(key, new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
    }

    /** Two F32 LoRA matrices, A [2, 4] and B [4, 2], in the safetensors layout. */
    private static byte[] safetensors() {
        String header = "{\"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight\":"
                + "{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]},"
                + "\"base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight\":"
                + "{\"dtype\":\"F32\",\"shape\":[4,2],\"data_offsets\":[32,64]}}";
        StringBuilder padded = new StringBuilder(header);
        while (padded.length() % 8 != 0) {
            padded.append(' ');
        }
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            data.putFloat(0.01f * (i + 1));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = padded.toString().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String issue(String name, ApiKeyScope scope) {
        IssuedApiKey issued = ApiKey.issue(tenant.id(), name, Set.of(scope));
        keys.save(issued.key());
        return issued.token().reveal();
    }

    private void signIn(String key) {
        browser.signInFresh(key);
    }
}
