package dev.finetune.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.stream.Stream;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client mistakes get a specific RFC 9457 problem: never a 500, a class name or a stack trace. */
class ProblemResponsesTest extends ApiTestBase {

    TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant("problems");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("malformed JSON", "POST", "/api/v1/fine-tuning/jobs", "application/json",
                        "{\"model\": \"x\",\n \"training_file\": }", 400, "malformed-request", "line=2"),
                Arguments.of("unknown field", "POST", "/api/v1/fine-tuning/jobs", "application/json",
                        "{\"model\": \"x\", \"training_file\": \"y\", \"learning_rate\": 1}", 400, "validation", "param=learning_rate"),
                Arguments.of("unknown hyperparameter", "POST", "/api/v1/fine-tuning/jobs", "application/json",
                        "{\"model\": \"x\", \"training_file\": \"y\", \"hyperparameters\": {\"rank\": 4}}", 400, "validation", "param=hyperparameters.rank"),
                Arguments.of("wrong type", "POST", "/api/v1/fine-tuning/jobs", "application/json",
                        "{\"model\": \"x\", \"training_file\": \"y\", \"hyperparameters\": {\"lora_r\": \"eight\"}}", 400,
                        "validation", "param=hyperparameters.lora_r"),
                Arguments.of("missing required field", "POST", "/api/v1/fine-tuning/jobs", "application/json",
                        "{\"model\": \"x\"}", 400, "validation", "param=training_file"),
                Arguments.of("empty body", "POST", "/api/v1/fine-tuning/jobs", "application/json", "", 400,
                        "malformed-request", "detail"),
                Arguments.of("wrong media type", "POST", "/api/v1/fine-tuning/jobs", "text/csv", "a,b", 415,
                        "unsupported-media-type", "detail"),
                Arguments.of("wrong method", "PUT", "/api/v1/fine-tuning/jobs", "application/json", "{}", 405,
                        "method-not-allowed", "detail"),
                Arguments.of("no such endpoint", "GET", "/api/v1/no-such-thing", null, null, 404, "not-found", "detail"),
                Arguments.of("bad id", "GET", "/api/v1/fine-tuning/jobs/not-a-uuid", null, null, 400, "validation", "param=jobId"),
                Arguments.of("bad limit", "GET", "/api/v1/fine-tuning/jobs?limit=1000", null, null, 400, "validation", "param=limit"),
                Arguments.of("bad scope", "POST", "/api/v1/api-keys", "application/json",
                        "{\"name\": \"k\", \"scopes\": [\"root\"]}", 400, "validation", "param=scopes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void answersAClientMistakeWithASpecificProblem(String name, String method, String path, String contentType,
            String body, int status, String slug, String member) {
        // given
        HttpRequest.Builder request = api.request(path, tenant.adminKey());
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));

        // when
        Response r = api.send(request.build());

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/" + slug);
        String[] expected = member.split("=", 2);
        assertThat(r.json().has(expected[0])).as(r.toString()).isTrue();
        if (expected.length == 2) {
            assertThat(r.json().path(expected[0]).asString()).as(r.toString()).isEqualTo(expected[1]);
        }
        assertThat(r.text("detail")).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.").doesNotContain("tools.jackson")
                .doesNotContain("java.");
    }
}
