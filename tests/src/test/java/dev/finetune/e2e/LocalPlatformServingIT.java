package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import com.openai.models.models.Model;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.recipe.AdapterInference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Serving on the local platform, as the README starts it (its own JVM, {@code java -jar
 * finetune-standalone.jar}): the job the demo trains is promoted to {@code default@production} and
 * the official OpenAI Java SDK, given only {@code <platform>/v1} and the platform's key, gets exactly
 * the engine's greedy text for the adapter files the registry serves, on the API's own port,
 * streamed or not. The API's security chain does not answer the serving paths: a missing key is
 * OpenAI's 401, not a problem+json, while the native API beside it keeps its own shape. The job's
 * last checkpoint, by the {@code fine_tuned_model_checkpoint} OpenAI's checkpoints list gives, answers
 * like the version (its adapter is the one published).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalPlatformServingIT {

    static final String PROMPT = "Who are you?";
    static final int TOKENS = 24;

    LocalPlatformProcess platform;
    Api api;
    String base;
    OpenAIClient client;
    Path adapter;
    String jobId;

    @BeforeAll
    void trainAndPromote(@TempDir Path dir) throws IOException {
        platform = LocalPlatformProcess.start(Path.of(System.getProperty("e2e.logs.dir", "target/e2e-logs")),
                "--finetune.worker.slice-steps=10");
        base = platform.url().replaceAll("/$", "");
        api = new Api(base, LocalPlatformProcess.OPERATOR_KEY);
        String dataset = api.get("/api/v1/datasets?limit=100").json().path("data").get(0).path("id").asString();
        JsonNode job = Scenario.createJob(api, Scenario.job("tinystories-656k", dataset, "lora", 10, "default"));
        jobId = job.path("id").asString();
        JsonNode done = Scenario.awaitFinished(api, jobId, Duration.ofMinutes(4));
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("succeeded");
        int version = Scenario.versionOf(api, "default", job.path("id").asString(), Duration.ofSeconds(60)).path("number").asInt();
        Api.Response promoted = api.put("/api/v1/registry/repositories/default/aliases/production", Map.of("version", version));
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        adapter = unzip(api.get("/api/v1/registry/repositories/default/versions/" + version + "/download").body(),
                dir.resolve("adapter"));
        client = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(LocalPlatformProcess.OPERATOR_KEY).maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT).temperature(0.0)
                .maxCompletionTokens(TOKENS).build();
    }

    @Test
    void the_production_alias_answers_the_engines_greedy_text_on_the_apis_port() {
        String expected;
        try (AdapterInference engine = AdapterInference.open(PlatformUnderTest.samples().resolve("models/tinystories-656k"),
                adapter, "cpu")) {
            expected = engine.generate(PROMPT, SamplingOptions.greedy(TOKENS), true).completion();
        }

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat("default@production"));
        ChatCompletion answer = raw.parse();
        assertThat(answer.choices().get(0).message().content()).contains(expected);
        assertThat(raw.headers().values("X-Adapter-Version")).singleElement().satisfies(v -> assertThat(v).startsWith("default/"));

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("default@production"))) {
            stream.stream().forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(expected);

        List<String> models = client.models().list().autoPager().stream().map(Model::id).toList();
        assertThat(models).contains("tinystories-656k", "default@production");
        // a version retrieved by name: the SDK encodes its slash (default%2F1), which the API's Tomcat passes to serving
        String version = raw.headers().values("X-Adapter-Version").get(0);
        assertThat(client.models().retrieve(version).id()).isEqualTo(version);
        assertThatThrownBy(() -> client.chat().completions().create(chat("default@nightly")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void the_jobs_last_checkpoint_is_callable_by_its_fine_tuned_model_checkpoint() {
        // the OpenAI fine-tuning API names it; serving answers it with the adapter the worker saved at that step
        List<FineTuningJobCheckpoint> checkpoints = client.fineTuning().jobs().checkpoints().list(jobId).data();
        String last = checkpoints.get(0).fineTunedModelCheckpoint();
        assertThat(last).isEqualTo(jobId + ":step-10");
        String expected;
        try (AdapterInference engine = AdapterInference.open(PlatformUnderTest.samples().resolve("models/tinystories-656k"),
                adapter, "cpu")) {
            expected = engine.generate(PROMPT, SamplingOptions.greedy(TOKENS), true).completion();
        }

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat(last));

        // the last checkpoint holds the weights the job published (10 steps, one slice of 10)
        assertThat(raw.parse().choices().get(0).message().content()).contains(expected);
        assertThat(raw.parse().systemFingerprint()).contains(last);
        assertThat(raw.headers().values("X-Adapter-Version")).containsExactly(last);
        assertThatThrownBy(() -> client.chat().completions().create(chat(jobId + ":step-11")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void the_apis_security_chain_never_answers_the_serving_paths() {
        Api anonymous = new Api(base, null);
        Api.Response serving = anonymous.get("/v1/models");
        assertThat(serving.status()).isEqualTo(401);
        assertThat(serving.contentType()).startsWith("application/json");
        assertThat(serving.text()).contains("\"code\":\"invalid_api_key\"").doesNotContain("problems");
        Api.Response nativeApi = anonymous.get("/api/v1/datasets");
        assertThat(nativeApi.status()).isEqualTo(401);
        assertThat(nativeApi.contentType()).startsWith("application/problem+json");
    }

    private static Path unzip(byte[] zip, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.isDirectory()) {
                    Path file = dir.resolve(Path.of(e.getName()).getFileName().toString());
                    Files.write(file, in.readAllBytes());
                }
            }
        }
        return dir;
    }
}
