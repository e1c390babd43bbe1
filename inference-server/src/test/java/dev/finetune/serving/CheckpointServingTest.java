package dev.finetune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.runtime.AdapterCache;
import dev.finetune.serving.runtime.BaseModels;
import dev.finetune.settings.FineTuningMethod;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * A job checkpoint named as OpenAI names it ({@code <job id>:step-<n>}, the API's
 * {@code fine_tuned_model_checkpoint}) answers on both completion paths with exactly the engine's
 * greedy text for the adapter the checkpoint carries, says so in {@code system_fingerprint} and
 * {@code X-Adapter-Version}, is retrieved by {@code GET /v1/models/{model}}, runs a QLoRA job's
 * checkpoint on the NF4 base, and is never pinned. Another tenant's checkpoint, an unknown job and
 * an unknown step are 404 {@code model_not_found}; a checkpoint without adapter files and one on a
 * base model not served here are named errors, never the base's answer.
 */
@DisabledIfSystemProperty(named = "finetune.spring-ai-classpath", matches = "true",
        disabledReason = "the spring-ai-client execution swaps the SDK core for Spring AI's")
@RealInfrastructure
@SpringBootTest(classes = {ServingApplication.class, TestData.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "finetune.serving.base-models=" + CheckpointServingTest.SERVED)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckpointServingTest {

    static final String SERVED = "tinystories-656k-ckpt";
    static final String PROMPT = OpenAiSdkServingTest.PROMPT;

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    JobCheckpointRepository checkpoints;
    @Autowired
    AdapterCache cache;
    @Autowired
    BaseModels bases;

    @TempDir
    Path temp;

    ServingWorld world;
    Fixture acme;
    Fixture other;
    OpenAIClient client;
    OpenAIClient otherClient;
    Path stepTen;
    String checkpoint;
    String othersCheckpoint;

    @BeforeAll
    void world(@TempDir Path dir) throws Exception {
        world = new ServingWorld(context);
        BaseModel base = world.base(SERVED);
        acme = world.tenant("acme", "support");
        other = world.tenant("other", "legal");
        stepTen = LoraFiles.write(dir.resolve("step-10"), 11, 0.6f, ServingWorld.qv());
        checkpoint = world.checkpoint(acme, base, FineTuningMethod.LORA, 10, stepTen, jobs, checkpoints);
        othersCheckpoint = world.checkpoint(other, base, FineTuningMethod.LORA, 10, stepTen, jobs, checkpoints);
        client = sdk(world.key(acme, ApiKeyScope.READ));
        otherClient = sdk(world.key(other, ApiKeyScope.READ));
    }

    OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0).build();
    }

    ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT).temperature(0.0)
                .maxCompletionTokens(OpenAiSdkServingTest.TOKENS).build();
    }

    @Test
    void a_checkpoint_answers_exactly_the_engines_greedy_text_for_its_adapter_and_names_itself() {
        // when
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat(checkpoint));
        ChatCompletion answer = raw.parse();

        // then
        String expected = OpenAiSdkServingTest.engineChat(stepTen, PROMPT);
        assertThat(answer.choices().get(0).message().content()).contains(expected);
        assertThat(expected).as("the checkpoint's adapter changes the answer")
                .isNotEqualTo(OpenAiSdkServingTest.engineChat(null, PROMPT));
        assertThat(answer.systemFingerprint()).contains(checkpoint);
        assertThat(raw.headers().values("X-Adapter-Version")).containsExactly(checkpoint);
        assertThat(raw.headers().values("X-Base-Model")).containsExactly(SERVED);
        assertThat(answer.model()).isEqualTo(checkpoint);
        assertThat(cache.held(acme.tenant().id())).anySatisfy(h -> {
            assertThat(h.ref()).isEqualTo(checkpoint);
            assertThat(h.pinnedBy()).as("a checkpoint is never pinned").isEmpty();
        });
    }

    @Test
    void completions_take_a_checkpoint_too() {
        HttpResponseFor<Completion> raw = client.completions().withRawResponse().create(CompletionCreateParams.builder()
                .model(checkpoint).prompt(PROMPT).temperature(0.0).maxTokens(OpenAiSdkServingTest.TOKENS).build());

        assertThat(raw.parse().choices().get(0).text()).isEqualTo(OpenAiSdkServingTest.engineText(stepTen, PROMPT));
        assertThat(raw.parse().systemFingerprint()).contains(checkpoint);
        assertThat(raw.headers().values("X-Adapter-Version")).containsExactly(checkpoint);
    }

    @Test
    void a_checkpoint_is_retrieved_by_name() {
        Model model = client.models().retrieve(checkpoint);

        assertThat(model.id()).isEqualTo(checkpoint);
        assertThat(model.ownedBy()).isEqualTo("support");
        assertThat(model._additionalProperties().get("version").asString()).contains(checkpoint);
        assertThat(model._additionalProperties().get("base_model").asString()).contains(SERVED);
    }

    @Test
    void another_tenants_checkpoint_an_unknown_job_and_an_unknown_step_are_not_found_alike() {
        String unknownJob = UUID.randomUUID() + ":step-10";
        String unknownStep = checkpoint.replace(":step-10", ":step-11");
        String fromAcme = notFound(() -> client.chat().completions().create(chat(othersCheckpoint)));
        String unknown = notFound(() -> client.chat().completions().create(chat(unknownJob)));
        notFound(() -> otherClient.chat().completions().create(chat(checkpoint)));
        notFound(() -> client.models().retrieve(othersCheckpoint));
        String step = notFound(() -> client.completions().create(CompletionCreateParams.builder().model(unknownStep)
                .prompt(PROMPT).maxTokens(4).build()));

        // nothing tells another tenant's job from one that does not exist
        assertThat(fromAcme.replace(othersCheckpoint, unknownJob).replace(othersCheckpoint.split(":")[0],
                unknownJob.split(":")[0])).isEqualTo(unknown);
        assertThat(step).contains("no checkpoint at step 11").contains(checkpoint);
    }

    private static String notFound(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        String[] message = new String[1];
        assertThatThrownBy(call).isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.code()).contains("model_not_found");
            assertThat(e.param()).contains("model");
            message[0] = e.getMessage();
        });
        return message[0];
    }

    @Test
    void a_qlora_jobs_checkpoint_answers_on_the_nf4_base_as_the_engine_generates_it() throws Exception {
        // given: the worker's checkpoint adapter has no training summary; the job says qlora
        Path adapter = LoraFiles.write(temp.resolve("qlora-step-4"), 12, 0.6f, ServingWorld.qv());
        String qlora = world.checkpoint(acme, world.models.findVisible(acme.tenant().id(), SERVED).orElseThrow(),
                FineTuningMethod.QLORA, 4, adapter, jobs, checkpoints);
        // the engine's reference holds the base as the adapter was trained (NF4 for qlora)
        Path reference = Files.createDirectories(temp.resolve("qlora-reference"));
        for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors"}) {
            Files.copy(adapter.resolve(f), reference.resolve(f));
        }
        Files.writeString(reference.resolve("training_summary.json"), "{\"method\": \"qlora\"}");

        // when
        ChatCompletion answer = client.chat().completions().create(chat(qlora));

        // then
        assertThat(answer.choices().get(0).message().content()).contains(OpenAiSdkServingTest.engineChat(reference, PROMPT));
        assertThat(answer.systemFingerprint()).contains(qlora);
        assertThat(bases.loaded()).extracting(l -> l.base().name() + ":" + l.precision()).contains(SERVED + ":NF4");
    }

    @Test
    void a_checkpoint_without_adapter_files_is_a_named_error_never_the_base() {
        String bare = world.checkpoint(acme, world.models.findVisible(acme.tenant().id(), SERVED).orElseThrow(),
                FineTuningMethod.LORA, 2, null, jobs, checkpoints);

        assertThatThrownBy(() -> client.chat().completions().create(chat(bare)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(422);
                    assertThat(e.code()).contains("adapter_load_failed");
                    assertThat(e.param()).contains("model");
                    assertThat(e.getMessage()).contains(bare).contains("no adapter files");
                });
    }

    @Test
    void a_checkpoint_on_a_base_model_not_served_here_is_a_409() {
        BaseModel elsewhere = world.models.save(BaseModel.global("tinystories-656k-elsewhere",
                "base-models/tinystories-656k-elsewhere/", Map.of("model_type", "llama")));
        String there = world.checkpoint(acme, elsewhere, FineTuningMethod.LORA, 10, stepTen, jobs, checkpoints);

        assertThatThrownBy(() -> client.chat().completions().create(chat(there)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(409);
                    assertThat(e.code()).contains("base_model_not_served");
                    assertThat(e.getMessage()).contains(there).contains("tinystories-656k-elsewhere");
                });
    }

    @Test
    void a_checkpoint_and_a_version_with_the_same_files_hold_separate_slots() {
        AdapterVersion version = world.register(acme, stepTen, world.fingerprint);

        ChatCompletion fromVersion = client.chat().completions().create(chat(version.ref()));
        ChatCompletion fromCheckpoint = client.chat().completions().create(chat(checkpoint));

        assertThat(fromVersion.systemFingerprint()).contains(version.ref());
        assertThat(fromCheckpoint.systemFingerprint()).contains(checkpoint);
        assertThat(fromCheckpoint.choices().get(0).message().content())
                .isEqualTo(fromVersion.choices().get(0).message().content());
        assertThat(cache.held(acme.tenant().id())).extracting(AdapterCache.Held::ref).contains(version.ref(), checkpoint);
    }
}
