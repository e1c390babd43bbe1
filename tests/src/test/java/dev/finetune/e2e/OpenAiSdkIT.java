package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.finetuning.jobs.FineTuningJob;
import com.openai.models.finetuning.jobs.FineTuningJobEvent;
import com.openai.models.finetuning.jobs.JobCreateParams;
import com.openai.models.finetuning.jobs.checkpoints.FineTuningJobCheckpoint;
import com.openai.models.finetuning.methods.SupervisedHyperparameters;
import com.openai.models.finetuning.methods.SupervisedMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A CI pipeline that already has the official OpenAI Java SDK: given only the platform's {@code /v1}
 * base URL and an API key, it runs files.create -> fine_tuning.jobs.create -> listEvents -> retrieve
 * until succeeded -> checkpoints.list, with response validation on (every field the SDK models must
 * parse), and the fine-tuned model it gets back is the registry version the job produced. A worker in
 * its own JVM trains. The transcript goes to stdout ({@code target/failsafe-reports/...-output.txt}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkIT {

    private static final Duration TRAINING = Duration.ofMinutes(4);

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private WorkerProcess worker;
    private Scenario.TenantKeys tenant;

    @BeforeAll
    void startWorker() {
        worker = platform.startWorker("oai-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
    }

    @AfterAll
    void stopWorker() {
        if (tenant != null) {
            tenant.admin().cancelUnfinishedJobs();
        }
        if (worker != null) {
            worker.close();
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf("[openai-sdk] " + format + "%n", args);
    }

    @Test
    void theOfficialSdkFineTunesWithOnlyItsBaseUrlAndKey() {
        tenant = Scenario.newTenant(platform, "openai-sdk");
        String model = "tinystories-656k";
        Scenario.registerTinystories(tenant.admin(), model);
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(platform.baseUrl() + "/v1")
                .apiKey(tenant.submit().key()).responseValidation(true).build();

        FileObject file = client.files().create(FileCreateParams.builder()
                .file(PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"))
                .purpose(FilePurpose.FINE_TUNE).build());
        say("files.create -> id=%s filename=%s bytes=%d purpose=%s status=%s created_at=%d", file.id(), file.filename(),
                file.bytes(), file.purpose(), file.status(), file.createdAt());

        FineTuningJob job = client.fineTuning().jobs().create(JobCreateParams.builder().model(model)
                .trainingFile(file.id()).suffix("sdk").seed(7L)
                .metadata(JobCreateParams.Metadata.builder().putAdditionalProperty("pipeline", JsonValue.from("openai-sdk-it")).build())
                .method(JobCreateParams.Method.builder().type(JobCreateParams.Method.Type.SUPERVISED)
                        .supervised(SupervisedMethod.builder().hyperparameters(SupervisedHyperparameters.builder()
                                .nEpochsAuto().batchSize(4L).learningRateMultiplier(10.0)
                                .putAdditionalProperty("max_steps", JsonValue.from(8))
                                .putAdditionalProperty("max_seq_length", JsonValue.from(128))
                                .putAdditionalProperty("warmup_ratio", JsonValue.from(0.0)).build()).build()).build())
                .putAdditionalBodyProperty("peft_method", JsonValue.from("qlora"))
                .putAdditionalHeader("Idempotency-Key", "openai-sdk-it-" + UUID.randomUUID()).build());
        say("fine_tuning.jobs.create -> id=%s status=%s model=%s training_file=%s seed=%d hyperparameters=%s",
                job.id(), job.status(), job.model(), job.trainingFile(), job.seed(), job.hyperparameters());
        assertThat(job.status()).isIn(FineTuningJob.Status.QUEUED, FineTuningJob.Status.RUNNING);

        List<FineTuningJobEvent> firstEvents = client.fineTuning().jobs().listEvents(job.id()).data();
        say("fine_tuning.jobs.listEvents -> %d events, newest: [%s] %s (%s)", firstEvents.size(), firstEvents.get(0).id(),
                firstEvents.get(0).message(), firstEvents.get(0).level());

        FineTuningJob current = job;
        Instant deadline = Instant.now().plus(TRAINING);
        List<FineTuningJob.Status> seen = new ArrayList<>();
        while (!terminal(current.status()) && Instant.now().isBefore(deadline)) {
            Scenario.sleep(Duration.ofMillis(500));
            current = client.fineTuning().jobs().retrieve(job.id());
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(current.status())) {
                seen.add(current.status());
                say("fine_tuning.jobs.retrieve -> status=%s trained_tokens=%s", current.status(), current.trainedTokens());
            }
        }
        assertThat(current.status()).as("job %s; worker log:%n%s", current, worker.logText())
                .isEqualTo(FineTuningJob.Status.SUCCEEDED);
        say("succeeded: fine_tuned_model=%s finished_at=%s trained_tokens=%s", current.fineTunedModel().orElse(null),
                current.finishedAt().orElse(null), current.trainedTokens().orElse(null));
        String fineTuned = current.fineTunedModel().orElseThrow();
        assertThat(fineTuned).matches("default/\\d+");
        assertThat(current.finishedAt().orElseThrow()).isGreaterThanOrEqualTo(current.createdAt());
        assertThat(current.trainedTokens().orElseThrow()).isPositive();
        // the fine-tuned model is the registry version the job produced
        Api.Response resolved = tenant.admin().get("/api/v1/registry/resolve?ref=" + Api.encode(fineTuned));
        assertThat(resolved.status()).as("%s", resolved).isEqualTo(200);

        List<FineTuningJobEvent> events = client.fineTuning().jobs().listEvents(job.id()).data();
        say("fine_tuning.jobs.listEvents -> %d events, newest first:", events.size());
        events.forEach(e -> say("  [%s] %s %s %s", e.id(), e.level(), e.type().map(Object::toString).orElse("-"), e.message()));
        assertThat(events.stream().map(e -> Long.parseLong(e.id())).toList())
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(events).anyMatch(e -> e.type().orElseThrow().equals(FineTuningJobEvent.Type.METRICS));

        List<FineTuningJobCheckpoint> checkpoints = client.fineTuning().jobs().checkpoints().list(job.id()).data();
        say("fine_tuning.jobs.checkpoints.list -> %d checkpoints:", checkpoints.size());
        checkpoints.forEach(c -> say("  %s step_number=%d train_loss=%s valid_loss=%s", c.fineTunedModelCheckpoint(),
                c.stepNumber(), c.metrics().trainLoss().orElse(null), c.metrics().validLoss().orElse(null)));
        assertThat(checkpoints).isNotEmpty();
        assertThat(checkpoints.get(0).stepNumber()).isEqualTo(8);
        assertThat(checkpoints.get(0).metrics().trainLoss()).isPresent();
        assertThat(checkpoints.get(0).fineTuningJobId()).isEqualTo(job.id());

        // bad input: OpenAI-shaped errors whose param and code the SDK exposes
        BadRequestException bad = catchThrowableOfType(BadRequestException.class, () -> client.fineTuning().jobs()
                .create(JobCreateParams.builder().model(model).trainingFile(file.id()).hyperparameters(
                        JobCreateParams.Hyperparameters.builder().putAdditionalProperty("lora_r", JsonValue.from(0)).build())
                        .build()));
        say("bad lora_r -> %d code=%s param=%s message=%s", bad.statusCode(), bad.code().orElse(null),
                bad.param().orElse(null), bad.getMessage());
        assertThat(bad.code()).contains("invalid_hyperparameter");
        assertThat(bad.param()).contains("hyperparameters.lora_r");
    }

    private static boolean terminal(FineTuningJob.Status status) {
        return status.equals(FineTuningJob.Status.SUCCEEDED) || status.equals(FineTuningJob.Status.FAILED)
                || status.equals(FineTuningJob.Status.CANCELLED);
    }
}
