package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.runtime.MergedPool;
import dev.finetune.settings.FineTuningMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A merged pool ({@code finetune.serving.merged.model=support@production}) beside a shared pool, on
 * the same real PostgreSQL, S3 server and registry: the merged pool's greedy answer is the engine's
 * unmerged greedy answer for that version (and the shared pool's), every other model and every other
 * tenant is a 409 naming what the pool serves, an alias move is merged in the background and then
 * answered (requests in flight finish on the old copy), a move to a version that cannot be merged is
 * a 503 saying why (never the stale version under the alias's name), and a pool that cannot start
 * says which setting is wrong.
 */
@DisabledIfSystemProperty(named = "finetune.spring-ai-classpath", matches = "true",
        disabledReason = "the spring-ai-client execution swaps the SDK core for Spring AI's")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MergedPoolServingTest {

    static final String PROMPT = OpenAiSdkServingTest.PROMPT;
    static final int TOKENS = OpenAiSdkServingTest.TOKENS;

    @LocalServerPort
    int sharedPort;
    @Autowired
    ApplicationContext context;

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
    AdapterVersion unmergeable;
    ConfigurableApplicationContext mergedContext;
    MergedPool pool;
    int mergedPort;
    OpenAIClient merged;
    OpenAIClient shared;

    @BeforeAll
    void world(@TempDir Path dir) throws Exception {
        world = new ServingWorld(context);
        baseName = "tinystories-656k-" + UUID.randomUUID().toString().substring(0, 8);
        world.base(baseName);
        acme = world.tenant("acme", "support");
        other = world.tenant("other", "support");
        acmeKey = world.key(acme, ApiKeyScope.READ);
        otherKey = world.key(other, ApiKeyScope.READ);
        adapterOne = LoraFiles.write(dir.resolve("one"), 1, 0.6f, ServingWorld.qv());
        adapterTwo = LoraFiles.write(dir.resolve("two"), 2, 0.6f, ServingWorld.qv());
        one = world.register(acme, adapterOne, world.fingerprint);
        two = world.register(acme, adapterTwo, world.fingerprint);
        unmergeable = world.register(acme, LoraFiles.write(dir.resolve("none"), 3, 0.6f, List.of("no_such_proj")),
                world.fingerprint);
        world.promote(acme, "production", one.number());
        world.register(other, adapterTwo, world.fingerprint);
        world.promote(other, "production", 1);

        mergedContext = ServingWorld.startServing("finetune.serving.merged.model=support@production",
                "finetune.serving.merged.tenant=" + acme.tenant().id().value(),
                "finetune.serving.merged.check-interval=200ms",
                "finetune.serving.work-dir=" + dir.resolve("merged-work"));
        pool = mergedContext.getBean(MergedPool.class);
        mergedPort = ServingWorld.port(mergedContext);
        merged = sdk(mergedPort, acmeKey);
        shared = sdk(sharedPort, acmeKey);
    }

    @AfterAll
    void stop() {
        if (mergedContext != null) {
            mergedContext.close();
        }
    }

    static OpenAIClient sdk(int port, String key) {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0).build();
    }

    static CompletionCreateParams completion(String model) {
        return CompletionCreateParams.builder().model(model).prompt(PROMPT).temperature(0.0).maxTokens(TOKENS).build();
    }

    static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT).temperature(0.0)
                .maxCompletionTokens(TOKENS).build();
    }

    @Test
    @Order(1)
    void the_merged_answer_is_the_engines_unmerged_greedy_answer_for_that_version() {
        HttpResponseFor<Completion> raw = merged.completions().withRawResponse().create(completion("support@production"));
        Completion answer = raw.parse();

        String unmerged = OpenAiSdkServingTest.engineText(adapterOne, PROMPT);
        assertThat(unmerged).as("the adapter changes the answer").isNotEqualTo(OpenAiSdkServingTest.engineText(null, PROMPT));
        assertThat(answer.choices().get(0).text()).isEqualTo(unmerged);
        assertThat(answer.systemFingerprint()).contains(one.ref());
        assertThat(answer.model()).isEqualTo("support@production");
        assertThat(raw.headers().values("X-Adapter-Version")).containsExactly(one.ref());
        assertThat(raw.headers().values("X-Base-Model")).containsExactly(baseName);

        // chat: the same text as the shared pool, which runs the adapter unmerged beside the base
        String sharedChat = shared.chat().completions().create(chat(one.ref())).choices().get(0).message().content().orElseThrow();
        assertThat(merged.chat().completions().create(chat("support@production")).choices().get(0).message().content())
                .contains(sharedChat);
        // the version merged now also answers to its own name
        assertThat(merged.completions().create(completion(one.ref())).choices().get(0).text()).isEqualTo(unmerged);
        assertThat(pool.openCopies()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void every_other_model_and_tenant_is_refused_by_name_never_answered() throws Exception {
        for (String name : List.of(two.ref(), baseName, "support@staging", "no-such-model")) {
            assertThatThrownBy(() -> merged.completions().create(completion(name)))
                    .as(name).isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(409);
                        assertThat(e.code()).contains("model_not_in_merged_pool");
                        assertThat(e.param()).contains("model");
                        assertThat(e.getMessage()).contains("'support@production' (now support/1)").contains(name);
                    });
        }
        // another tenant's key, even naming its own support@production: refused, and acme's names are not told
        assertThatThrownBy(() -> sdk(mergedPort, otherKey).completions().create(completion("support@production")))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(409);
                    assertThat(e.code()).contains("model_not_in_merged_pool");
                    assertThat(e.getMessage()).contains("another tenant").doesNotContain("support/1");
                });

        assertThat(merged.models().list().autoPager().stream().map(Model::id).collect(Collectors.toList()))
                .containsExactly("support@production", one.ref());
        assertThat(sdk(mergedPort, otherKey).models().list().data()).isEmpty();
        HttpResponse<String> byVersion = get(mergedPort, "/v1/models/support%2F1", acmeKey);
        assertThat(byVersion.statusCode()).as(byVersion.body()).isEqualTo(200);
        assertThat(byVersion.body()).contains("\"id\":\"support/1\"").contains("\"version\":\"support/1\"");
        HttpResponse<String> notHere = get(mergedPort, "/v1/models/support%2F2", acmeKey);
        assertThat(notHere.statusCode()).isEqualTo(409);
        assertThat(notHere.body()).contains("\"code\":\"model_not_in_merged_pool\"");
    }

    @Test
    @Order(3)
    void an_alias_move_is_merged_in_the_background_then_answered_and_requests_in_flight_finish_on_the_old_version()
            throws Exception {
        HttpRequest longOne = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mergedPort + "/v1/completions"))
                .header("Authorization", "Bearer " + acmeKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"support@production\", \"stream\": true,"
                        + " \"max_tokens\": 400, \"temperature\": 0, \"prompt\": \"Tell me a story\"}"))
                .build();
        HttpResponse<java.io.InputStream> streaming = HttpClient.newHttpClient().send(longOne,
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(streaming.body()))) {
            assertThat(lines.readLine()).startsWith("data: ");

            String expectedOne = OpenAiSdkServingTest.engineText(adapterOne, PROMPT);
            String expectedTwo = OpenAiSdkServingTest.engineText(adapterTwo, PROMPT);
            world.promote(acme, "production", two.number());
            // until the new merge is ready the old version answers, naming itself; then version 2, exactly
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Completion answer;
            do {
                answer = merged.completions().create(completion("support@production"));
                String version = answer.systemFingerprint().orElseThrow();
                assertThat(version).isIn(one.ref(), two.ref());
                assertThat(answer.choices().get(0).text()).as(version)
                        .isEqualTo(version.equals(one.ref()) ? expectedOne : expectedTwo);
            } while (!answer.systemFingerprint().orElseThrow().equals(two.ref()) && System.nanoTime() < deadline);
            assertThat(answer.systemFingerprint()).contains(two.ref());
            assertThat(pool.version().ref()).isEqualTo(two.ref());

            // the stream that started before the move ends on version 1, whole
            List<String> rest = new ArrayList<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    rest.add(line);
                }
            }
            assertThat(rest).last().isEqualTo("data: [DONE]");
            assertThat(rest.subList(0, rest.size() - 1)).allSatisfy(l -> assertThat(l).contains("\"system_fingerprint\":\"support/1\""));
        }
        // the old copy of the base is closed once its last request ended
        assertThat(pool.openCopies()).isEqualTo(1);
        assertThatThrownBy(() -> merged.completions().create(completion(one.ref())))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(409));
        assertThat(merged.models().list().data()).extracting(Model::id).containsExactly("support@production", two.ref());
    }

    @Test
    @Order(4)
    void a_move_to_a_version_that_cannot_be_merged_is_a_503_saying_why_never_the_stale_version() throws Exception {
        world.promote(acme, "production", unmergeable.number());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        OpenAIServiceException refused = null;
        while (refused == null && System.nanoTime() < deadline) {
            try {
                assertThat(merged.completions().create(completion("support@production")).systemFingerprint())
                        .contains(two.ref());
                Thread.sleep(100);
            } catch (OpenAIServiceException e) {
                refused = e;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.code()).contains("merged_model_unavailable");
        assertThat(refused.getMessage()).contains(unmergeable.ref()).contains("match no linear layer").contains(two.ref());
        assertThat(refused.headers().values("Retry-After")).isNotEmpty();
        // the version still merged answers to its own name
        assertThat(merged.completions().create(completion(two.ref())).choices().get(0).text())
                .isEqualTo(OpenAiSdkServingTest.engineText(adapterTwo, PROMPT));

        world.promote(acme, "production", two.number());
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Completion back = null;
        while (back == null && System.nanoTime() < deadline) {
            try {
                back = merged.completions().create(completion("support@production"));
            } catch (OpenAIServiceException e) {
                Thread.sleep(100);
            }
        }
        assertThat(back).isNotNull();
        assertThat(back.systemFingerprint()).contains(two.ref());
    }

    @Test
    @Order(5)
    void a_pool_that_cannot_start_names_the_setting_at_fault(@TempDir Path dir) throws Exception {
        String tenant = "finetune.serving.merged.tenant=" + acme.tenant().name();
        assertThat(startFailure("finetune.serving.merged.model=" + baseName, tenant))
                .contains("finetune.serving.merged.model must name one adapter").contains("a base model alone");
        assertThat(startFailure("finetune.serving.merged.model=support@production"))
                .contains("finetune.serving.merged.tenant must name the tenant");
        assertThat(startFailure("finetune.serving.merged.model=support@production", "finetune.serving.merged.tenant=nobody"))
                .contains("finetune.serving.merged.tenant is 'nobody', which is no tenant");
        assertThat(startFailure("finetune.serving.merged.model=support@nightly", tenant))
                .contains("finetune.serving.merged.model is 'support@nightly', which tenant '" + acme.tenant().name()
                        + "' does not have");

        Path qlora = LoraFiles.write(dir.resolve("qlora"), 6, 0.6f, ServingWorld.qv());
        Files.writeString(qlora.resolve("training_summary.json"), "{\"method\": \"qlora\"}");
        AdapterVersion q = world.register(acme, qlora, world.fingerprint, FineTuningMethod.QLORA);
        assertThat(startFailure("finetune.serving.merged.model=" + q.ref(), tenant))
                .contains("QLoRA").contains("finetune.serving.qlora-base=dense");
        assertThat(startFailure("finetune.serving.merged.model=" + unmergeable.ref(), tenant))
                .contains("cannot be served merged").contains("match no linear layer");
    }

    @Test
    @Order(6)
    void with_qlora_base_dense_a_qlora_version_is_merged_into_the_dense_base_and_answers_as_that_base_unmerged(
            @TempDir Path dir) throws Exception {
        Path files = LoraFiles.write(dir.resolve("qlora"), 7, 0.6f, ServingWorld.qv());
        Files.writeString(files.resolve("training_summary.json"), "{\"method\": \"qlora\"}");
        AdapterVersion q = world.register(acme, files, world.fingerprint, FineTuningMethod.QLORA);
        // the same files as a LoRA version: the shared pool runs them unmerged on the dense base
        AdapterVersion dense = world.register(acme, files, world.fingerprint, FineTuningMethod.LORA);
        String unmergedOnDense = shared.completions().create(completion(dense.ref())).choices().get(0).text();

        try (ConfigurableApplicationContext qloraPool = ServingWorld.startServing("finetune.serving.merged.model=" + q.ref(),
                "finetune.serving.merged.tenant=" + acme.tenant().name(), "finetune.serving.qlora-base=dense",
                "finetune.serving.work-dir=" + dir.resolve("work"))) {
            Completion answer = sdk(ServingWorld.port(qloraPool), acmeKey).completions().create(completion(q.ref()));
            assertThat(answer.choices().get(0).text()).isEqualTo(unmergedOnDense);
            assertThat(answer.systemFingerprint()).contains(q.ref());
        }
    }

    /** The message of what stopped a merged pool from starting with these settings. */
    static String startFailure(String... settings) {
        try (ConfigurableApplicationContext started = ServingWorld.startServing(settings)) {
            throw new AssertionError("the pool started with " + List.of(settings));
        } catch (RuntimeException e) {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            return messages.toString();
        }
    }

    static HttpResponse<String> get(int port, String path, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
