package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.runtime.AdapterCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * The serving deployable on its own port, called by the official OpenAI Java SDK with only a base
 * URL and a key, against real PostgreSQL, a real S3 server, real registry versions and the engine:
 * {@code support@production} answers exactly the engine's greedy text for that adapter
 * ({@link AdapterInference} on the same files), streamed or not; wrong names and another tenant's
 * segment are 404 {@code model_not_found}; an alias move reaches new requests within the
 * resolution TTL; an adapter for other weights or one that loads nothing is a named error, never
 * the base's answer.
 */
@DisabledIfSystemProperty(named = "finetune.spring-ai-classpath", matches = "true",
        disabledReason = "the spring-ai-client execution swaps the SDK core for Spring AI's")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"finetune.serving.resolution-ttl=1s", "finetune.serving.cache.max-adapters=3",
            "finetune.serving.decoder.max-batch-rows=1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiSdkServingTest {

    static final String PROMPT = "Once upon a time, there was a little dog named";
    static final int TOKENS = 24;

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;
    @Autowired
    AdapterCache cache;
    @Autowired
    dev.finetune.serving.runtime.BaseModels bases;

    @TempDir
    Path temp;

    ServingWorld world;
    String baseName;
    Fixture acme;
    Fixture other;
    String acmeKey;
    String otherKey;
    Path adapterOne;
    Path adapterTwo;
    AdapterVersion one;
    AdapterVersion two;
    OpenAIClient client;

    @BeforeAll
    void world(@TempDir Path dir) throws Exception {
        world = new ServingWorld(context);
        baseName = "tinystories-656k-" + UUID.randomUUID().toString().substring(0, 8);
        world.base(baseName);
        acme = world.tenant("acme", "support");
        other = world.tenant("other", "legal");
        acmeKey = world.key(acme, ApiKeyScope.READ);
        otherKey = world.key(other, ApiKeyScope.SUBMIT);
        adapterOne = LoraFiles.write(dir.resolve("one"), 1, 0.6f, ServingWorld.qv());
        adapterTwo = LoraFiles.write(dir.resolve("two"), 2, 0.6f, ServingWorld.qv());
        one = world.register(acme, adapterOne, world.fingerprint);
        two = world.register(acme, adapterTwo, world.fingerprint);
        world.promote(acme, "production", one.number());
        world.register(other, adapterTwo, world.fingerprint);
        world.promote(other, "production", 1);
        client = sdk(acmeKey);
    }

    OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0).build();
    }

    static String engineChat(Path adapterDir, String prompt) {
        try (AdapterInference engine = AdapterInference.open(ServingWorld.BASE_DIR, adapterDir, "cpu")) {
            return engine.generate(prompt, SamplingOptions.greedy(TOKENS), true).completion();
        }
    }

    static String engineText(Path adapterDir, String prompt) {
        try (AdapterInference engine = AdapterInference.open(ServingWorld.BASE_DIR, adapterDir, "cpu")) {
            return engine.generate(prompt, SamplingOptions.greedy(TOKENS), false).completion();
        }
    }

    ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT).temperature(0.0)
                .maxCompletionTokens(TOKENS).build();
    }

    @Test
    @Order(1)
    void production_alias_answers_exactly_the_engines_greedy_text_for_that_adapter() {
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat("support@production"));
        ChatCompletion answer = raw.parse();

        String expected = engineChat(adapterOne, PROMPT);
        assertThat(answer.choices().get(0).message().content()).contains(expected);
        assertThat(expected).isNotEqualTo(engineChat(null, PROMPT)).as("the adapter changes the answer");
        assertThat(answer.systemFingerprint()).contains(one.ref());
        assertThat(raw.headers().values("X-Adapter-Version")).containsExactly(one.ref());
        assertThat(answer.model()).isEqualTo("support@production");
        assertThat(answer.usage().orElseThrow().completionTokens()).isPositive();
        assertThat(answer.usage().orElseThrow().totalTokens()).isEqualTo(
                answer.usage().orElseThrow().promptTokens() + answer.usage().orElseThrow().completionTokens());
        assertThat(answer.choices().get(0).finishReason().asString()).isIn("stop", "length");
        assertThat(cache.held(acme.tenant().id())).anySatisfy(h -> {
            assertThat(h.ref()).isEqualTo(one.ref());
            assertThat(h.pinnedBy()).isNotEmpty();
        });
    }

    @Test
    @Order(2)
    void streaming_sends_the_same_text_in_chunks() {
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("support@production"))) {
            chunks = stream.stream().toList();
        }
        chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        assertThat(chunks.size()).isGreaterThan(2);
        assertThat(text.toString()).isEqualTo(engineChat(adapterOne, PROMPT));
        assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason()).isPresent();
        assertThat(chunks).allSatisfy(c -> assertThat(c.systemFingerprint()).contains(one.ref()));
    }

    @Test
    @Order(3)
    void versions_and_base_models_answer_by_name_and_completions_take_a_plain_prompt() {
        ChatCompletion v2 = client.chat().completions().create(chat(two.ref()));
        assertThat(v2.choices().get(0).message().content()).contains(engineChat(adapterTwo, PROMPT));

        Completion base = client.completions().create(CompletionCreateParams.builder().model(baseName).prompt(PROMPT)
                .temperature(0.0).maxTokens(TOKENS).build());
        assertThat(base.choices().get(0).text()).isEqualTo(engineText(null, PROMPT));
        assertThat(base.systemFingerprint()).contains("base:" + baseName);
    }

    @Test
    @Order(4)
    void a_wrong_name_and_another_tenants_segment_are_not_found() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("support@nightly")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("model_not_found");
                    assertThat(e.param()).contains("model");
                });
        assertThatThrownBy(() -> client.chat().completions().create(chat("no-such-model")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
        // the other tenant's segment, by alias and by version, from acme's key; and acme's from theirs
        assertThatThrownBy(() -> client.chat().completions().create(chat("legal@production")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
        assertThatThrownBy(() -> sdk(otherKey).chat().completions().create(chat("support/1")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    @Order(5)
    void models_lists_what_the_tenant_can_call_and_nothing_of_another_tenant() {
        List<String> ids = client.models().list().autoPager().stream().map(Model::id).collect(Collectors.toList());
        assertThat(ids).contains(baseName, "support@production", "support/1", "support/2");
        assertThat(ids).noneMatch(id -> id.startsWith("legal"));
        assertThat(client.models().retrieve("support@production").id()).isEqualTo("support@production");
    }

    @Test
    @Order(6)
    void bad_settings_and_keys_are_openai_errors_naming_the_field() throws Exception {
        assertThatThrownBy(() -> client.chat().completions().create(chat("support@production").toBuilder().n(2).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("n");
                    assertThat(e.code()).contains("unsupported_parameter");
                });
        assertThatThrownBy(() -> client.chat().completions().create(chat("support@production").toBuilder()
                .maxCompletionTokens(100_000).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("max_tokens"));
        assertThatThrownBy(() -> sdk("ftk_abcdefgh_" + "x".repeat(43)).chat().completions().create(chat("support@production")))
                .isInstanceOf(UnauthorizedException.class);

        HttpResponse<String> wrongType = post("/v1/chat/completions", acmeKey,
                "{\"model\": \"support@production\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                        + " \"temperature\": \"hot\", \"some_future_field\": {\"x\": 1}}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(wrongType.body()).contains("\"param\":\"temperature\"").contains("\"type\":\"invalid_request_error\"");
        assertThat(wrongType.headers().firstValue("x-should-retry")).contains("false");

        HttpResponse<String> badRole = post("/v1/chat/completions", acmeKey,
                "{\"model\": \"support@production\", \"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(badRole.body()).contains("\"param\":\"messages[0].role\"");

        HttpResponse<String> noKey = post("/v1/completions", null, "{\"model\": \"x\", \"prompt\": \"y\"}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).contains("\"code\":\"invalid_api_key\"").contains("\"type\":\"authentication_error\"");
    }

    @Test
    @Order(7)
    void an_adapter_for_other_weights_or_one_that_adapts_nothing_is_a_named_error_never_the_base() throws Exception {
        AdapterVersion foreign = world.register(acme, adapterOne, "f".repeat(64));
        assertThatThrownBy(() -> client.chat().completions().create(chat(foreign.ref())))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(409);
                    assertThat(e.code()).contains("base_model_mismatch");
                });
        AdapterVersion nothing = world.register(acme, LoraFiles.write(temp.resolve("none"), 3, 0.6f, List.of("no_such_proj")),
                world.fingerprint);
        assertThatThrownBy(() -> client.chat().completions().create(chat(nothing.ref())))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(422);
                    assertThat(e.code()).contains("adapter_load_failed");
                });
    }

    @Test
    @Order(8)
    void an_alias_move_reaches_new_requests_within_seconds() throws Exception {
        assertThat(client.chat().completions().create(chat("support@production")).systemFingerprint()).contains(one.ref());
        world.promote(acme, "production", two.number());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ChatCompletion answer;
        do {
            answer = client.chat().completions().create(chat("support@production"));
        } while (!answer.systemFingerprint().orElse("").equals(two.ref()) && System.nanoTime() < deadline);
        assertThat(answer.systemFingerprint()).contains(two.ref());
        assertThat(answer.choices().get(0).message().content()).contains(engineChat(adapterTwo, PROMPT));
        // production now pins version 2, not version 1
        assertThat(cache.held(acme.tenant().id())).anySatisfy(h -> {
            assertThat(h.ref()).isEqualTo(two.ref());
            assertThat(h.pinnedBy()).isNotEmpty();
        });
        assertThat(cache.held(acme.tenant().id())).filteredOn(h -> h.ref().equals(one.ref()))
                .allSatisfy(h -> assertThat(h.pinnedBy()).isEmpty());
    }

    @Test
    @Order(9)
    void the_cache_evicts_the_least_recently_used_unpinned_adapter_and_keeps_production() throws Exception {
        // production points at version 2 (pinned); version 1 was used last before it
        AdapterVersion three = world.register(acme, LoraFiles.write(temp.resolve("three"), 4, 0.6f, ServingWorld.qv()),
                world.fingerprint);
        AdapterVersion four = world.register(acme, LoraFiles.write(temp.resolve("four"), 5, 0.6f, ServingWorld.qv()),
                world.fingerprint);
        client.chat().completions().create(chat(three.ref()));
        assertThat(cache.size()).isEqualTo(3);
        client.chat().completions().create(chat(four.ref()));

        assertThat(cache.size()).as("cache.max-adapters").isEqualTo(3);
        assertThat(cache.held(acme.tenant().id())).extracting(AdapterCache.Held::ref)
                .containsExactlyInAnyOrder(two.ref(), three.ref(), four.ref());
        // the evicted version loads again from object storage on its next use, and answers as before
        assertThat(client.chat().completions().create(chat(one.ref())).choices().get(0).message().content())
                .contains(engineChat(adapterOne, PROMPT));
        assertThat(cache.held(acme.tenant().id())).extracting(AdapterCache.Held::ref).contains(two.ref(), one.ref());
    }

    @Test
    @Order(10)
    void a_full_decoder_is_a_429_with_retry_after_never_a_crash_and_frees_when_the_client_leaves() throws Exception {
        // one row (decoder.max-batch-rows=1): a long stream holds it while a second request arrives
        HttpRequest longOne = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + acmeKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"support@production\", \"stream\": true,"
                        + " \"max_tokens\": 480, \"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}]}"))
                .build();
        HttpResponse<java.io.InputStream> streaming = HttpClient.newHttpClient().send(longOne, HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(streaming.body()))) {
            assertThat(lines.readLine()).startsWith("data: ");

            assertThatThrownBy(() -> client.chat().completions().create(chat("support@production")))
                    .isInstanceOfSatisfying(com.openai.errors.RateLimitException.class, e -> {
                        assertThat(e.code()).contains("decoder_full");
                        assertThat(e.headers().values("Retry-After")).singleElement()
                                .satisfies(v -> assertThat(Integer.parseInt(v)).isPositive());
                        assertThat(e.headers().values("x-should-retry")).containsExactly("true");
                    });
        }
        // the client went away: its row is cancelled at the next write and the decoder takes requests again
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ChatCompletion after = null;
        while (after == null && System.nanoTime() < deadline) {
            try {
                after = client.chat().completions().create(chat("support@production"));
            } catch (com.openai.errors.RateLimitException busy) {
                Thread.sleep(200);
            }
        }
        assertThat(after).isNotNull();
        assertThat(after.systemFingerprint()).contains(two.ref());
    }

    @Test
    @Order(11)
    void a_qlora_version_answers_on_the_nf4_base_it_was_trained_on_as_the_engine_generates_it() throws Exception {
        // what the worker leaves beside a QLoRA adapter: training_summary.json with method qlora
        Path qlora = LoraFiles.write(temp.resolve("qlora"), 6, 0.6f, ServingWorld.qv());
        java.nio.file.Files.writeString(qlora.resolve("training_summary.json"), "{\"method\": \"qlora\"}");
        AdapterVersion version = world.register(acme, qlora, world.fingerprint, dev.finetune.settings.FineTuningMethod.QLORA);

        ChatCompletion answer = client.chat().completions().create(chat(version.ref()));

        // AdapterInference holds the base as the adapter was trained (NF4 for qlora)
        assertThat(answer.choices().get(0).message().content()).contains(engineChat(qlora, PROMPT));
        assertThat(answer.systemFingerprint()).contains(version.ref());
        assertThat(bases.loaded()).extracting(l -> l.base().name() + ":" + l.precision())
                .contains(baseName + ":NF4", baseName + ":DENSE");
    }

    HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
