package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The registry page against a stand-in for the registry's REST API, whose controllers are not
 * written yet: the JSON below is shaped like the registry's records ({@code AdapterVersion},
 * {@code RepositorySummary}, {@code AliasMove}, {@code VersionComparison}, the 409
 * {@code promotion-blocked} problem). The same page against the real registry, after a real
 * training, is {@link JourneyBrowserIT}. Serves the dashboard's own files from the classpath, as
 * the API does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryPageBrowserTest {

    private static final String SEG = "/api/v1/registry/repositories/acme-support";
    private static final String BLOCKED = """
            {"type":"https://finetune.dev/problems/promotion-blocked","title":"Promotion blocked by the repository's gate",
             "status":409,"detail":"v3 has eval_loss 1.52, worse than production's v1 at 1.31 on the same eval set",
             "gate":"eval_loss_no_worse","alias":"production","candidate_version":3,"candidate_eval_loss":1.52,
             "current_version":1,"current_eval_loss":1.31}""";

    private static final String KEY = "ftk_stubstub_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private HttpServer server;
    private Browser browser;
    private final List<String> writes = new CopyOnWriteArrayList<>();
    /** Every file download the stand-in served: "path?query" and the Authorization it came with. */
    private final List<String> downloads = new CopyOnWriteArrayList<>();
    private int port;

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Browser.available(), "needs Debian's chromium and chromium-driver");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        browser = Browser.open("http://127.0.0.1:" + port + "/");
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void showsAliasesVersionsTheGatesVerdictComparisonAndRollback() {
        // given
        browser.reload("#/registry/acme-support");
        browser.driver().executeScript("sessionStorage.clear()");
        browser.driver().navigate().refresh();
        browser.waitFor(By.cssSelector("input[name=api-key]")).sendKeys(KEY);
        browser.driver().findElement(By.cssSelector("form.signin button[type=submit]")).click();

        // then: where each alias points, and every version with lineage and metrics
        browser.waitFor(By.cssSelector("li[data-alias=production][data-version='1']"));
        assertThat(browser.driver().findElement(By.cssSelector("li[data-alias=staging]")).getText()).contains("v2");
        assertThat(browser.all(By.cssSelector("table.versions tbody tr[data-version]"))).hasSize(3);
        assertThat(browser.driver().findElement(By.cssSelector("tr[data-version='3']")).getText())
                .contains("v3").contains("1.52").contains("QLoRA").contains("tinystories-656k");
        assertThat(browser.driver().findElement(By.cssSelector("table.audit")).getText()).contains("first release");
        browser.screenshot("registry-stub-desktop-light");

        // when: Promote without choosing a version: nothing is defaulted, nothing is sent
        int writesBefore = writes.size();
        assertThat(new Select(browser.driver().findElement(By.name("version"))).getFirstSelectedOption().getAttribute("value")).isEmpty();
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        assertThat(browser.waitFor(By.cssSelector("#promote-form .field-error")).getText()).contains("Choose the version");
        assertThat(writes).hasSize(writesBefore);

        // when: a worse version is chosen, the confirm step shows both versions' metrics and the gate's verdict first
        new Select(browser.driver().findElement(By.name("version"))).selectByValue("3");
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        WebElement confirm = browser.waitFor(By.cssSelector("#promote-form .confirm"));
        assertThat(confirm.getText()).contains("Move production from v1 to v3?").contains("v3 (to promote)")
                .contains("v1 (production now)").contains("1.52").contains("1.31")
                .contains("blocks it: eval loss 1.52 > 1.31 of v1 (same eval set)");
        assertThat(writes).hasSize(writesBefore);
        browser.screenshot("registry-stub-promote-confirm-desktop-light");
        browser.driver().findElement(By.xpath("//button[normalize-space()='Yes, move production to v3']")).click();
        WebElement problem = browser.waitFor(By.cssSelector("#promote-form .problem"));
        assertThat(problem.getText()).contains("The gate blocked this promotion")
                .contains("Promotion blocked by the repository's gate").contains("worse than production")
                .contains("eval_loss_no_worse").contains("1.52").contains("1.31");
        browser.screenshot("registry-stub-promotion-blocked-desktop-light");

        // when: a better one
        new Select(browser.driver().findElement(By.name("version"))).selectByValue("2");
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        assertThat(browser.waitFor(By.cssSelector("#promote-form .confirm")).getText()).contains("passes: eval loss 1.28 ≤ 1.31");
        browser.driver().findElement(By.xpath("//button[normalize-space()='Yes, move production to v2']")).click();
        browser.waitUntilText(By.cssSelector("#promote-form .success"), "production now points at v2");
        assertThat(browser.driver().findElement(By.cssSelector("#promote-form .success")).getText()).contains("passed: eval_loss 1.28 <= 1.31");
        assertThat(writes).contains("PUT " + SEG + "/aliases/production {\"version\":2,\"force\":false,\"reason\":null}");

        // when: two versions compared
        browser.waitFor(By.cssSelector("tr[data-version='1'] input[type=checkbox]")).click();
        browser.driver().findElement(By.cssSelector("tr[data-version='3'] input[type=checkbox]")).click();
        browser.driver().findElement(By.xpath("//button[normalize-space()='Compare the two selected']")).click();

        // then: side by side with the differences marked, and both curves
        browser.waitFor(By.cssSelector(".compare-table tr.differs"));
        assertThat(browser.driver().findElement(By.cssSelector(".compare")).getText())
                .contains("v1 and v3 side by side").contains("≠ Rank (r)").contains("≠ Eval loss")
                .doesNotContain("lora_r").doesNotContain("eval_loss"); // rows by their labels, the API's names on hover
        browser.waitUntilText(By.cssSelector(".compare .chart-caption"), "points");
        browser.screenshot("registry-stub-compare-desktop-light");
        for (boolean dark : new boolean[] {false, true}) {
            browser.emulate(Browser.NARROW_WIDTH, dark);
            browser.screenshot("registry-stub-narrow-" + (dark ? "dark" : "light"));
        }
        browser.emulate(Browser.DESKTOP_WIDTH, true);
        browser.screenshot("registry-stub-desktop-dark");
        browser.resetEmulation();

        // when: a rollback, with its reason
        browser.driver().findElement(By.cssSelector("li[data-alias=staging] button")).click();
        browser.waitFor(By.cssSelector("form.rollback input")).sendKeys("eval regression on acme tickets");
        browser.driver().findElement(By.cssSelector("form.rollback button[type=submit]")).click();

        // then
        browser.waitUntilGone(By.cssSelector("form.rollback"));
        assertThat(writes).contains("POST " + SEG + "/aliases/staging/rollback {\"reason\":\"eval regression on acme tickets\"}");
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("status of 409"));
    }

    @Test
    void downloadsEachKindOfFileLinkWithoutLeavingThePage() {
        // given: a signed-in tab on the registry, and v3's files: one streamed by the API (its url
        // needs the key), one presigned on another origin (no key), one listed without a url
        browser.reload("#/registry/acme-support");
        browser.driver().executeScript("sessionStorage.setItem('finetune.apiKey', arguments[0])", KEY);
        browser.driver().navigate().refresh();
        browser.waitFor(By.cssSelector("tr[data-version='3'] .row-actions button[aria-expanded]")).click();
        browser.waitFor(By.cssSelector("ul.files a[download]"));
        List<WebElement> links = browser.all(By.cssSelector("ul.files a[download]"));
        assertThat(links).extracting(WebElement::getText)
                .containsExactly("adapter_config.json", "adapter_model.safetensors", "notes/README.md");
        assertThat(links).extracting(a -> a.getAttribute("download"))
                .containsExactly("adapter_config.json", "adapter_model.safetensors", "README.md");

        // when each is clicked
        for (WebElement link : links) {
            link.click();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (downloads.size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }

        // then the key went to the API only, and the dashboard is still there
        assertThat(downloads).containsExactlyInAnyOrder(
                SEG + "/versions/3/download?file=adapter_config.json Bearer " + KEY,
                "/bucket/adapter_model.safetensors?X-Amz-Signature=abc none",
                SEG + "/versions/3/download?file=notes%2FREADME.md Bearer " + KEY);
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/registry/acme-support");
        assertThat(browser.all(By.cssSelector("ul.files .problem"))).isEmpty();
        assertThat(browser.driver().findElement(By.cssSelector("table.versions")).isDisplayed()).isTrue();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.startsWith("/bucket/") || path.endsWith("/download")) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            downloads.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery() + " " + (auth == null ? "none" : auth));
            ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + path.substring(path.lastIndexOf('/') + 1) + "\"");
            send(ex, 200, path.endsWith(".safetensors") ? "application/octet-stream" : "application/json", "{\"r\":8}");
            return;
        }
        if (!path.startsWith("/api/")) {
            serveStatic(ex, path);
            return;
        }
        if (!method.equals("GET")) {
            writes.add(method + " " + path + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        }
        String body = switch (method + " " + path) {
            // the key's own scopes, as the API's /api-keys/self answers: submit may promote and roll back
            case "GET /api/v1/api-keys/self" -> "{\"prefix\":\"ftk_ci000001\",\"scopes\":[\"submit\"],\"can\":[\"submit\",\"read\"],\"operator\":false}";
            case "GET /api/v1/datasets" -> "{\"object\":\"list\",\"data\":[],\"has_more\":false}";
            case "GET /api/v1/segments" -> "{\"object\":\"list\",\"data\":[{\"name\":\"default\"},{\"name\":\"acme-support\"}],\"has_more\":false}";
            case "GET /api/v1/registry/repositories" -> "{\"items\":[" + summary() + "],\"next_cursor\":null}";
            case "GET " + SEG -> summary();
            case "GET " + SEG + "/versions" -> "{\"items\":[" + version(1, "lora", 8, 1.31) + "," + version(2, "lora", 16, 1.28) + ","
                    + version(3, "qlora", 32, 1.52) + "],\"next_cursor\":null}";
            case "GET " + SEG + "/audit" -> "{\"items\":[{\"id\":1,\"segment\":\"acme-support\",\"alias\":\"production\",\"action\":\"CREATED\","
                    + "\"from_version\":null,\"to_version\":1,\"forced\":false,\"gate_outcome\":\"passed: no current version\","
                    + "\"reason\":\"first release\",\"actor\":\"ftk_ci000001\",\"occurred_at\":\"2025-01-05T10:00:00Z\"}],\"next_cursor\":null}";
            case "GET " + SEG + "/compare" -> comparison();
            case "GET " + SEG + "/versions/3/files" -> "{\"items\":["
                    + "{\"path\":\"adapter_config.json\",\"size_bytes\":812,\"url\":\"http://127.0.0.1:" + port + SEG
                    + "/versions/3/download?file=adapter_config.json\"},"
                    + "{\"path\":\"adapter_model.safetensors\",\"size_bytes\":40148,"
                    + "\"url\":\"http://localhost:" + port + "/bucket/adapter_model.safetensors?X-Amz-Signature=abc\"},"
                    + "{\"path\":\"notes/README.md\",\"size_bytes\":12,\"url\":null}]}";
            case "POST " + SEG + "/aliases/staging/rollback" -> "{\"alias\":\"staging\",\"from_version\":2,\"to_version\":1}";
            default -> null;
        };
        if (path.startsWith("/api/v1/fine-tuning/jobs/") && path.endsWith("/metrics")) {
            boolean first = path.contains("00000000-0000-0000-0000-000000000001");
            StringBuilder rows = new StringBuilder();
            for (int step = 1; step <= 20; step++) {
                double loss = (first ? 3.0 : 3.3) * Math.exp(-step / 9.0) + (first ? 0.9 : 1.2);
                rows.append(step == 1 ? "" : ",").append("{\"step\":").append(step).append(",\"loss\":").append(loss)
                        .append(",\"eval_loss\":").append(step % 5 == 0 ? String.valueOf(loss + 0.2) : "null").append('}');
            }
            body = "{\"object\":\"list\",\"data\":[" + rows + "],\"has_more\":false}";
        }
        if ((method + " " + path).equals("PUT " + SEG + "/aliases/production")) {
            String last = writes.get(writes.size() - 1);
            if (last.contains("\"version\":3")) {
                send(ex, 409, "application/problem+json", BLOCKED);
                return;
            }
            body = "{\"alias\":\"production\",\"action\":\"MOVED\",\"from_version\":1,\"to_version\":2,\"forced\":false,"
                    + "\"gate_outcome\":\"passed: eval_loss 1.28 <= 1.31\"}";
        }
        if (body == null) {
            send(ex, 404, "application/problem+json", "{\"type\":\"https://finetune.dev/problems/not-found\",\"title\":\"Resource not found\","
                    + "\"status\":404,\"detail\":\"no endpoint " + method + " " + path + "\"}");
            return;
        }
        send(ex, 200, "application/json", body);
    }

    private static String summary() {
        return "{\"segment\":\"acme-support\",\"description\":null,\"gate\":{\"rule\":\"eval_loss_no_worse\",\"max_eval_loss\":null,"
                + "\"gated_aliases\":[\"production\"]},\"latest_version\":3,\"version_count\":3,"
                + "\"aliases\":{\"production\":1,\"staging\":2},\"created_at\":\"2025-01-05T09:00:00Z\"}";
    }

    private static String version(int n, String method, int r, double evalLoss) {
        String aliases = n == 1 ? "[\"production\"]" : n == 2 ? "[\"staging\"]" : "[]";
        return "{\"segment\":\"acme-support\",\"number\":" + n + ",\"source_job_id\":\"00000000-0000-0000-0000-00000000000" + n + "\","
                + "\"base_model_id\":\"11111111-0000-0000-0000-000000000000\",\"base_model_name\":\"tinystories-656k\","
                + "\"base_model_sha256\":\"" + "ab".repeat(32) + "\",\"dataset_sha256\":\"" + Integer.toHexString(n).repeat(64) + "\","
                + "\"eval_set_sha256\":\"" + "cd".repeat(32) + "\",\"method\":\"" + method + "\","
                + "\"hyperparameters\":{\"lora_r\":" + r + ",\"lora_alpha\":" + 2 * r + ",\"learning_rate\":0.0002,\"n_epochs\":3},"
                + "\"eval_loss\":" + evalLoss + ",\"perplexity\":" + Math.exp(evalLoss) + ",\"initial_eval_loss\":2.9,"
                + "\"curve\":{\"steps\":20,\"first_train_loss\":3.1,\"final_train_loss\":1.2,\"min_eval_loss\":" + evalLoss + "},"
                + "\"artifact\":{\"prefix\":\"tenants/t/adapters/j/\",\"sha256\":\"" + "ef".repeat(32) + "\",\"size_bytes\":40960},"
                + "\"created_by\":\"ftk_ci000001\",\"created_at\":\"2025-01-0" + (4 + n) + "T10:00:00Z\",\"archived_at\":null,"
                + "\"tags\":{},\"aliases\":" + aliases + "}";
    }

    private static String comparison() {
        return "{\"a\":" + version(1, "lora", 8, 1.31) + ",\"b\":" + version(3, "qlora", 32, 1.52) + ",\"same_eval_set\":true,"
                + "\"lineage\":[{\"name\":\"method\",\"a\":\"lora\",\"b\":\"qlora\",\"differs\":true,\"delta\":null},"
                + "{\"name\":\"base_model_name\",\"a\":\"tinystories-656k\",\"b\":\"tinystories-656k\",\"differs\":false,\"delta\":null}],"
                + "\"hyperparameters\":[{\"name\":\"lora_r\",\"a\":8,\"b\":32,\"differs\":true,\"delta\":null},"
                + "{\"name\":\"learning_rate\",\"a\":0.0002,\"b\":0.0002,\"differs\":false,\"delta\":null}],"
                + "\"metrics\":[{\"name\":\"eval_loss\",\"a\":1.31,\"b\":1.52,\"differs\":true,\"delta\":0.21}],"
                + "\"differences\":[\"method\",\"lora_r\",\"eval_loss\"]}";
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript",
            "css", "text/css", "svg", "image/svg+xml");

    private void serveStatic(HttpExchange ex, String path) throws IOException {
        String file = path.equals("/") ? "/index.html" : path;
        String resource = file.startsWith("/webjars/") ? "META-INF/resources" + file : "static" + file;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
            if (in == null || file.contains("..")) {
                send(ex, 404, "text/plain", "not found");
                return;
            }
            String ext = file.substring(file.lastIndexOf('.') + 1);
            ex.getResponseHeaders().set("Content-Security-Policy", DashboardPagesSecurity.CONTENT_SECURITY_POLICY);
            byte[] bytes = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
