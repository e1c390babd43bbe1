package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * Everything the serving surface decides before a token is generated, over real HTTP with real keys,
 * a real registry and real PostgreSQL and S3: keys (401 in OpenAI's shape), field-by-field
 * validation (400 naming {@code param}, unknown fields ignored), model names resolved per tenant
 * (404 {@code model_not_found}, another tenant's segment included), {@code GET /v1/models}, and that
 * no path answers in any shape but OpenAI's. The official SDK reads each error's {@code code} and
 * {@code param}.
 */
@DisabledIfSystemProperty(named = "finetune.spring-ai-classpath", matches = "true",
        disabledReason = "the spring-ai-client execution swaps the SDK core for Spring AI's")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingSurfaceTest {

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;

    ServingWorld world;
    String baseName;
    Fixture acme;
    Fixture other;
    String acmeKey;
    String otherKey;
    OpenAIClient client;

    @BeforeAll
    void world(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        world = new ServingWorld(context);
        baseName = "tinystories-656k-" + UUID.randomUUID().toString().substring(0, 8);
        world.base(baseName);
        acme = world.tenant("acme", "support");
        other = world.tenant("other", "legal");
        acmeKey = world.key(acme, ApiKeyScope.READ);
        otherKey = world.key(other, ApiKeyScope.ADMIN);
        Path adapter = LoraFiles.write(dir.resolve("a"), 1, 0.5f, ServingWorld.qv());
        world.register(acme, adapter, world.fingerprint);
        world.register(acme, adapter, world.fingerprint);
        world.promote(acme, "production", 1);
        world.promote(acme, "staging", 2);
        world.register(other, adapter, world.fingerprint);
        world.promote(other, "production", 1);
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(acmeKey).maxRetries(0).build();
    }

    ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Hello").temperature(0.0)
                .maxCompletionTokens(8).build();
    }

    @Test
    void models_lists_the_tenants_base_models_aliases_and_versions_and_nothing_of_another_tenant() {
        List<String> ids = client.models().list().autoPager().stream().map(Model::id).toList();
        assertThat(ids).contains(baseName, "support@production", "support@staging", "support/1", "support/2");
        assertThat(ids).noneMatch(id -> id.startsWith("legal"));
        assertThat(client.models().retrieve("support@staging").id()).isEqualTo("support@staging");

        OpenAIClient theirs = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(otherKey)
                .maxRetries(0).build();
        assertThat(theirs.models().list().autoPager().stream().map(Model::id).toList())
                .contains("legal@production", "legal/1").noneMatch(id -> id.startsWith("support"));
    }

    @Test
    void a_version_is_retrieved_by_its_name_with_the_slash_encoded_or_literal() throws Exception {
        // OpenAI's SDKs encode a path parameter as one segment: support/2 goes out as support%2F2
        assertThat(client.models().retrieve("support/2").id()).isEqualTo("support/2");
        for (String path : List.of("/v1/models/support%2F2", "/v1/models/support%2f2", "/v1/models/support/2")) {
            HttpResponse<String> r = send("GET", path, acmeKey, null);
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).as(path).contains("\"id\":\"support/2\"").contains("\"version\":\"support/2\"");
        }
        HttpResponse<String> missing = send("GET", "/v1/models/support%2F9", acmeKey, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"code\":\"model_not_found\"");
        // an encoded slash never becomes a separator that reaches another path
        HttpResponse<String> smuggled = send("GET", "/v1/models%2F..%2Fchat%2Fcompletions", acmeKey, null);
        assertThat(smuggled.statusCode()).isEqualTo(404);
        assertThat(smuggled.body()).contains("\"code\":\"unknown_url\"");
    }

    @Test
    void an_unknown_name_and_another_tenants_segment_are_404_model_not_found() {
        for (String model : List.of("support@nightly", "support/9", "no-such-model", "legal@production", "legal/1",
                "Not A Name!")) {
            assertThatThrownBy(() -> client.chat().completions().create(chat(model)))
                    .as(model)
                    .isInstanceOfSatisfying(NotFoundException.class, e -> {
                        assertThat(e.code()).contains("model_not_found");
                        assertThat(e.param()).contains("model");
                        assertThat(e.headers().values("x-should-retry")).containsExactly("false");
                    });
        }
    }

    @Test
    void keys_are_checked_before_anything_else_in_openai_shape() throws Exception {
        OpenAIClient forged = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey("ftk_abcdefgh_" + "x".repeat(43)).maxRetries(0).build();
        assertThatThrownBy(() -> forged.chat().completions().create(chat("support@production")))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.code()).contains("invalid_api_key"));

        HttpResponse<String> none = send("GET", "/v1/models", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(none.body()).contains("\"type\":\"authentication_error\"").contains("\"code\":\"invalid_api_key\"");
    }

    @Test
    void wrong_types_and_values_name_their_param_and_unknown_fields_are_ignored() throws Exception {
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        expect400("{\"model\": \"support@production\", " + messages + ", \"temperature\": \"hot\"}", "temperature");
        expect400("{\"model\": \"support@production\", " + messages + ", \"temperature\": 3}", "temperature");
        expect400("{\"model\": \"support@production\", " + messages + ", \"top_p\": 0}", "top_p");
        expect400("{\"model\": \"support@production\", " + messages + ", \"max_tokens\": 1.5}", "max_tokens");
        expect400("{\"model\": \"support@production\", " + messages + ", \"max_tokens\": 0}", "max_tokens");
        expect400("{\"model\": \"support@production\", " + messages + ", \"seed\": \"x\"}", "seed");
        expect400("{\"model\": \"support@production\", " + messages + ", \"stop\": [\"a\", 3]}", "stop[1]");
        expect400("{\"model\": \"support@production\", " + messages + ", \"stream\": \"yes\"}", "stream");
        expect400("{\"model\": \"support@production\", " + messages + ", \"n\": 2}", "n");
        expect400("{\"model\": \"support@production\", " + messages + ", \"frequency_penalty\": 0.5}", "frequency_penalty");
        expect400("{\"model\": \"support@production\", \"messages\": []}", "messages");
        expect400("{\"model\": \"support@production\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
                "messages[0].role");
        expect400("{\"model\": \"support@production\", \"messages\": [{\"role\": \"user\", \"content\": "
                + "[{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}", "messages[0].content[0].type");
        expect400("{\"model\": 7, " + messages + "}", "model");
        expect400("{" + messages + "}", "model");

        HttpResponse<String> notJson = send("POST", "/v1/chat/completions", acmeKey, "{\"model\": ");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("\"code\":\"invalid_json\"").doesNotContain("Exception");

        // neutral values of OpenAI settings and fields this server has never heard of pass to model resolution
        HttpResponse<String> unknown = send("POST", "/v1/chat/completions", acmeKey, "{\"model\": \"support@nowhere\", "
                + messages + ", \"frequency_penalty\": 0, \"logprobs\": false, \"user\": \"u-1\", \"metadata\": {\"a\": 1},"
                + " \"store\": false, \"parallel_tool_calls\": null, \"some_future_field\": [1, 2]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"model_not_found\"");

        assertThatThrownBy(() -> client.chat().completions().create(chat("support@production").toBuilder().n(3).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("n");
                    assertThat(e.code()).contains("unsupported_parameter");
                });
        HttpResponse<String> completion = send("POST", "/v1/completions", acmeKey,
                "{\"model\": \"support@production\", \"prompt\": [\"a\", \"b\"]}");
        assertThat(completion.statusCode()).isEqualTo(400);
        assertThat(completion.body()).contains("\"param\":\"prompt\"");
    }

    @Test
    void unknown_urls_and_methods_answer_in_openai_shape() throws Exception {
        HttpResponse<String> unknown = send("GET", "/v1/embeddings", acmeKey, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"unknown_url\"");
        HttpResponse<String> method = send("GET", "/v1/chat/completions", acmeKey, null);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(method.body()).contains("\"code\":\"method_not_allowed\"");
    }

    private void expect400(String body, String param) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/chat/completions", acmeKey, body);
        assertThat(r.statusCode()).as(body).isEqualTo(400);
        assertThat(r.body()).as(body).contains("\"param\":\"" + param + "\"").contains("\"type\":\"invalid_request_error\"");
        assertThat(r.headers().firstValue("x-should-retry")).as(body).contains("false");
    }

    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
