package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.client.ApiClient;
import dev.finetune.client.ApiException;
import dev.finetune.client.api.DatasetsApi;
import dev.finetune.client.api.JobsApi;
import dev.finetune.client.api.RegistryRepositoriesApi;
import dev.finetune.client.model.AdapterVersion;
import dev.finetune.client.model.CheckpointView;
import dev.finetune.client.model.CreateJobRequest;
import dev.finetune.client.model.DatasetView;
import dev.finetune.client.model.EventView;
import dev.finetune.client.model.Hyperparameters;
import dev.finetune.client.model.JobView;
import dev.finetune.client.model.MetricView;
import dev.finetune.client.model.Problem;
import dev.finetune.client.model.ResolvedAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A whole fine-tune driven by the Java client that the build generates from the API's OpenAPI
 * document ({@code platform-api/openapi/openapi.json}, equal to the served {@code /v3/api-docs}):
 * upload the dataset, create a QLoRA job with snake_case hyperparameters (an Idempotency-Key retry
 * answers the same job), poll it to succeeded, read its events, metrics and checkpoints, resolve its
 * registry version, and read a 404 as the documented Problem. A worker in its own JVM trains.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedClientIT {

    private static final Duration TRAINING = Duration.ofMinutes(4);

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private WorkerProcess worker;
    private Scenario.TenantKeys tenant;

    @BeforeAll
    void startWorker() {
        worker = platform.startWorker("gen-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
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

    @Test
    void theGeneratedClientFineTunesFromUploadToRegistryVersion() throws Exception {
        tenant = Scenario.newTenant(platform, "generated-client");
        String model = Scenario.registerTinystories(tenant.admin(), "tinystories-656k");
        ApiClient client = new ApiClient();
        client.updateBaseUri(platform.baseUrl());
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + tenant.submit().key()));
        DatasetsApi datasets = new DatasetsApi(client);
        JobsApi jobs = new JobsApi(client);

        // application/json is the body's first media type: a JSON array of records, read from the sample file
        List<Object> records = client.getObjectMapper().readValue(
                PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json").toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<List<Object>>() { });
        DatasetView dataset = datasets.uploadDataset(records, "identity.json", "instruction");
        assertThat(dataset.getRows()).isEqualTo(91);

        CreateJobRequest request = new CreateJobRequest().model(model).trainingFile(dataset.getId())
                .method(CreateJobRequest.MethodEnum.QLORA).segment("default").seed(7L).suffix("generated")
                .metadata(Map.of("client", "openapi-generator"))
                .hyperparameters(new Hyperparameters().maxSteps(8).batchSize(4).learningRate(0.002).maxSeqLength(128)
                        .warmupRatio(0.0).loraR(8).loraAlpha(16));
        String key = "generated-" + UUID.randomUUID();
        JobView created = jobs.createJob(request, key);
        JobView retried = jobs.createJob(request, key);
        assertThat(retried.getId()).isEqualTo(created.getId());
        assertThat(created.getStatus()).isEqualTo(JobView.StatusEnum.QUEUED);
        assertThat(created.getHyperparameters().getMaxSteps()).isEqualTo(8);
        assertThat(created.getHyperparameters().getLoraR()).isEqualTo(8);
        assertThat(created.getMethod()).isEqualTo(JobView.MethodEnum.QLORA);
        UUID id = UUID.fromString(created.getId());

        JobView job = created;
        Instant deadline = Instant.now().plus(TRAINING);
        while ((job.getStatus() != JobView.StatusEnum.SUCCEEDED || job.getFineTunedModel() == null)
                && job.getStatus() != JobView.StatusEnum.FAILED && job.getStatus() != JobView.StatusEnum.CANCELLED
                && Instant.now().isBefore(deadline)) {
            Scenario.sleep(Duration.ofMillis(500));
            job = jobs.getJob(id);
        }
        assertThat(job.getStatus()).as("job %s; worker log:%n%s", job, worker.logText()).isEqualTo(JobView.StatusEnum.SUCCEEDED);
        assertThat(job.getTrainedTokens()).isPositive();
        assertThat(job.getFinishedAt()).isAfterOrEqualTo(job.getCreatedAt());
        assertThat(job.getFineTunedModel()).matches("default/\\d+");

        List<EventView> events = jobs.listJobEvents(id, null, 0L, 1000).getData();
        assertThat(events).extracting(EventView::getMessage).anyMatch(m -> m.startsWith("Fine-tuning succeeded"));
        List<MetricView> metrics = jobs.listJobMetrics(id).getData();
        assertThat(metrics).hasSize(8);
        List<CheckpointView> checkpoints = jobs.listJobCheckpoints(id).getData();
        assertThat(checkpoints).extracting(CheckpointView::getStep).contains(8);

        RegistryRepositoriesApi registry = new RegistryRepositoriesApi(client);
        ResolvedAdapter resolved = registry.resolveRef(job.getFineTunedModel(), null, null);
        assertThat(resolved.getRef()).isEqualTo(job.getFineTunedModel());
        int number = Integer.parseInt(job.getFineTunedModel().substring("default/".length()));
        AdapterVersion version = registry.getVersion("default", number);
        assertThat(version.getSourceJobId()).hasToString(job.getId());
        assertThat(version.getEvalLoss()).isLessThan(version.getInitialEvalLoss());

        ApiException missing = catchThrowableOfType(ApiException.class, () -> jobs.getJob(UUID.randomUUID()));
        assertThat(missing.getCode()).isEqualTo(404);
        Problem problem = client.getObjectMapper().readValue(missing.getResponseBody(), Problem.class);
        assertThat(problem.getType()).hasToString("https://finetune.dev/problems/not-found");
        assertThat(problem.getStatus()).isEqualTo(404);
    }
}
