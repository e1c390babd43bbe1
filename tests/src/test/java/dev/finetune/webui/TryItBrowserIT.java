package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.finetune.e2e.Api;
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
import tools.jackson.databind.JsonNode;

/**
 * Issue 11's "done when", clicked through in headless Chromium against the local platform started
 * as the README starts it (API, worker, registry and OpenAI-compatible serving in one JVM, real
 * PostgreSQL and S3Proxy; {@link LocalDashboard}): a user uploads the demo data and trains a LoRA job from the New job
 * form, watches it succeed, clicks "Try it" on the job, sees the base model and the adapter answer
 * the same prompt side by side as they stream in the playground, promotes the version to
 * {@code production} through the registry page's confirmation, and then a CI job calls
 * {@code <segment>@production} with the official OpenAI Java SDK given only the base URL and the
 * key, and gets the adapter's text the playground showed, from the promoted version. The job is
 * trained for a segment created on the registry page first, its own (see {@link LocalDashboard}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TryItBrowserIT {

    private static final String PROMPT = "Who are you?";
    private static final int MAX_TOKENS = 32;
    /** Its own segment, so it shares the platform with {@link JourneyBrowserIT} without sharing an alias. */
    private static final String SEGMENT = "tryit-" + Long.toString(System.currentTimeMillis(), 36);

    private LocalDashboard dashboard;
    private Browser browser;
    private DashboardSteps steps;

    @BeforeAll
    void open() {
        dashboard = LocalDashboard.open();
        browser = dashboard.browser();
        steps = new DashboardSteps(browser);
    }

    @AfterAll
    void close() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    @Order(1)
    void trainTryItSideBySidePromoteThenCallTheProductionAliasWithTheOpenAiSdk() {
        // given: signed in, a segment for the customer, the demo data uploaded and a short LoRA job
        // for that segment started from the form
        steps.signIn("#/registry", dashboard.apiKey());
        steps.createSegment(SEGMENT);
        browser.go("#/new");
        assertThat(steps.uploadTrainingFile(DashboardBrowserTest.samples().resolve("datasets/llamafactory_identity.json"),
                "instruction").getText()).contains("is valid").contains("91");
        steps.chooseModelAndMethod("tinystories-656k", "lora");
        steps.typeSettings(Map.of("max_steps", "20", "learning_rate", "0.002", "warmup_ratio", "0"));
        steps.chooseSegment(SEGMENT);
        browser.driver().findElement(By.name("suffix")).sendKeys("try-it");
        String jobId = steps.submitJob();

        // when: it trains; the page is left open, never reloaded
        assertThat(steps.awaitFinished(dashboard.timeout())).as(browser.text(By.cssSelector(".view"))).isEqualTo("succeeded");
        assertThat(steps.outcome()).contains("Training succeeded");

        // then: the registry's version shows up on the same page, with "Try it"
        browser.waitUntilText(By.cssSelector("section.success .registration"), "The adapter is registered as " + SEGMENT + "/");
        String version = browser.text(By.cssSelector("section.success .registration code"));
        assertThat(version).matches(SEGMENT + "/\\d+");
        assertThat(browser.text(By.cssSelector("dl.job-facts"))).contains(version);
        JsonNode job = api().get("/api/v1/fine-tuning/jobs/" + jobId).json();
        assertThat(job.path("fine_tuned_model").asString()).isEqualTo(version);
        browser.screenshot("try-it-job");

        // when: "Try it", a prompt, temperature 0, run
        browser.click(By.xpath("//section[contains(@class,'success')]//p[contains(@class,'registration')]/a[normalize-space()='Try it']"));
        new WebDriverWait(browser.driver(), Duration.ofSeconds(20))
                .until(d -> URLDecoder.decode(d.getCurrentUrl(), StandardCharsets.UTF_8).endsWith("#/playground?model=" + version));
        Select adapter = new Select(browser.waitFor(By.cssSelector("form.playground select[name=adapter]")));
        assertThat(adapter.getFirstSelectedOption().getAttribute("value")).isEqualTo(version);
        assertThat(new Select(browser.driver().findElement(By.cssSelector("form.playground select[name=base]")))
                .getFirstSelectedOption().getAttribute("value")).isEqualTo("tinystories-656k");
        WebElement prompt = browser.driver().findElement(By.cssSelector("form.playground textarea[name=prompt]"));
        prompt.clear();
        prompt.sendKeys(PROMPT);
        browser.driver().findElement(By.xpath("//form[contains(@class,'playground')]//summary[normalize-space()='Sampling settings']")).click();
        WebElement temperature = browser.waitFor(By.cssSelector("form.playground input[name=temperature]"));
        temperature.clear();
        temperature.sendKeys("0");
        WebElement maxTokens = browser.driver().findElement(By.cssSelector("form.playground input[name=max_tokens]"));
        maxTokens.clear();
        maxTokens.sendKeys(String.valueOf(MAX_TOKENS));
        browser.driver().findElement(By.xpath("//form[contains(@class,'playground')]//button[normalize-space()='Run both']")).click();

        // then: two panels side by side, base then adapter, each streamed and naming what answered
        List<WebElement> panels = new WebDriverWait(browser.driver(), Duration.ofSeconds(60)).until(d -> {
            List<WebElement> all = d.findElements(By.cssSelector(".playground-outputs .playground-output"));
            return all.size() == 2 && all.stream().allMatch(p -> p.getText().contains("finished:")) ? all : null;
        });
        assertThat(panels.get(0).findElement(By.tagName("h2")).getText()).isEqualTo("tinystories-656k");
        assertThat(panels.get(1).findElement(By.tagName("h2")).getText()).isEqualTo(version);
        assertThat(panels.get(0).getLocation().getY()).as("side by side").isEqualTo(panels.get(1).getLocation().getY());
        assertThat(panels.get(0).getLocation().getX()).isLessThan(panels.get(1).getLocation().getX());
        String baseText = panelText(panels.get(0));
        String adapterText = panelText(panels.get(1));
        // each answer arrived as several chunks (one text node each), not as one body at the end
        assertThat(chunks(panels.get(0))).isGreaterThan(1);
        assertThat(chunks(panels.get(1))).isGreaterThan(1);
        assertThat(panels.get(1).findElement(By.cssSelector("p.muted .badge")).getText()).isEqualTo(version);
        assertThat(panels.get(0).findElement(By.cssSelector("p.muted .badge")).getText()).isEqualTo("base:tinystories-656k");
        assertThat(panels.get(1).findElement(By.cssSelector("p.muted")).getText()).contains("tokens (prompt");
        browser.screenshot("try-it-playground");

        // and: the adapter's text is the serving API's greedy answer to the same request; the base's differs
        Api.Response reference = api().post("/v1/chat/completions", Map.of("model", version,
                "messages", List.of(Map.of("role", "user", "content", PROMPT)),
                "max_tokens", MAX_TOKENS, "temperature", 0, "top_p", 1));
        assertThat(reference.status()).as(reference.toString()).isEqualTo(200);
        assertThat(reference.json().path("system_fingerprint").asString()).isEqualTo(version);
        assertThat(adapterText).isNotBlank().isEqualTo(reference.json().path("choices").get(0).path("message").path("content").asString());
        assertThat(baseText).isNotBlank().isNotEqualTo(adapterText);

        // when: the version is promoted to production on the registry page, through its confirmation
        int number = Integer.parseInt(version.substring(version.indexOf('/') + 1));
        String confirm = steps.promote(SEGMENT, number, "production");
        assertThat(confirm).contains("Point production at v" + number + "?");
        // no script error; the new segment's registry page, before its first version, is answered with 404s it words
        assertThat(browser.consoleErrors()).allSatisfy(e -> assertThat(e)
                .contains("/api/v1/registry/repositories/" + SEGMENT).contains("status of 404"));
        browser.screenshot("try-it-promoted");

        // then: a CI job with the official OpenAI SDK, only the base URL and the key set, calls the alias
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(dashboard.baseUrl() + "/v1").apiKey(dashboard.apiKey()).build();
        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(SEGMENT + "@production").addUserMessage(PROMPT).temperature(0.0).maxCompletionTokens(MAX_TOKENS).build());
        assertThat(answer.choices().get(0).message().content()).hasValue(adapterText);
        assertThat(answer.systemFingerprint()).hasValue(version);
    }

    /** The playground's calls go to /v1, not through api.js: a key revoked meanwhile still signs the tab out. */
    @Test
    @Order(2)
    void aKeyRevokedWhileThePlaygroundIsOpenSignsTheTabOut() {
        // given: a read key, signed in, on the playground
        Api.Response created = api().post("/api/v1/api-keys", Map.of("name", "playground-viewer", "scopes", List.of("read")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        browser.driver().executeScript("sessionStorage.clear()");
        steps.signIn("#/playground", created.json().path("key").asString());
        browser.waitFor(By.xpath("//form[contains(@class,'playground')]//button[normalize-space()='Run both']"));

        // when: the key is revoked, then the user runs a prompt
        Api.Response revoked = api().delete("/api/v1/api-keys/" + created.json().path("id").asString());
        assertThat(revoked.status()).as(revoked.toString()).isIn(200, 204);
        browser.click(By.xpath("//form[contains(@class,'playground')]//button[normalize-space()='Run both']"));

        // then: the sign-in page, saying why
        browser.waitFor(By.cssSelector("input[name=api-key]"));
        assertThat(browser.text(By.cssSelector(".view .notice"))).contains("no longer accepts this key");
        assertThat(browser.driver().executeScript("return sessionStorage.getItem('finetune.apiKey')")).isNull();
    }

    private Api api() {
        return new Api(dashboard.baseUrl(), dashboard.apiKey());
    }

    /** The panel's answer exactly as the page holds it (getText would trim and fold whitespace). */
    private static String panelText(WebElement panel) {
        return panel.findElement(By.cssSelector("pre.playground-text")).getDomProperty("textContent");
    }

    /** How many pieces the answer was appended in: the page appends one text node per streamed chunk. */
    private int chunks(WebElement panel) {
        return ((Number) browser.driver().executeScript("return arguments[0].childNodes.length",
                panel.findElement(By.cssSelector("pre.playground-text")))).intValue();
    }
}
