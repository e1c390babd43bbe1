package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.finetune.api.ApiApplication;
import dev.finetune.core.testing.RealInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The API app with this jar on its classpath serves the dashboard at {@code /} without a key and
 * with strict headers, while {@code /api/v1/**} still answers 401 without one.
 */
@SpringBootTest(classes = ApiApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"finetune.datasets.max-upload-size=2MB", "finetune.datasets.error-cap=50"})
@RealInfrastructure
class DashboardServingTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Test
    void servesThePageWithoutAKeyAndWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> r = get("/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<script type=\"module\" src=\"assets/js/app.js\">");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(DashboardPagesSecurity.CONTENT_SECURITY_POLICY);
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void servesScriptsStylesAndTheWebJarWithoutAKey() throws Exception {
        HttpResponse<String> app = get("/assets/js/app.js");
        HttpResponse<String> css = get("/assets/css/app.css");
        HttpResponse<String> uplot = get("/webjars/uplot/" + System.getProperty("uplot.version") + "/dist/uPlot.esm.js");

        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.headers().firstValue("Content-Type").orElseThrow()).contains("javascript");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type").orElseThrow()).contains("text/css");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("export { uPlot as default }");
        assertThat(uplot.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
    }

    @Test
    void theApiStillNeedsAKey() throws Exception {
        HttpResponse<String> r = get("/api/v1/fine-tuning/jobs");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(r.body()).contains("Missing or invalid API key");
    }

    @Test
    void aPathOutsideThePagesIsNotOpenedByThePageChain() throws Exception {
        assertThat(get("/api/v1/segments").statusCode()).isEqualTo(401);
        assertThat(get("/assets/../api/v1/segments").statusCode()).isIn(400, 401, 404);
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
