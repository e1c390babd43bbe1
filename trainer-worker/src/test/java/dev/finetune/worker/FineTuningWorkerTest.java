package dev.finetune.worker;

import static dev.finetune.worker.WorkerFixtures.await;
import static dev.finetune.worker.WorkerFixtures.quick;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.worker.WorkerFixtures.SucceededEvents;
import dev.finetune.worker.WorkerFixtures.Worker;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The worker against real PostgreSQL and S3Proxy, training the bundled tinystories checkpoint on
 * real data. The test's own context plays the API (it never claims: finetune.worker.enabled=false);
 * workers run as separate contexts, as separate processes would.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "finetune.worker.enabled=false")
@RealInfrastructure
class FineTuningWorkerTest {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Autowired
    ConfigurableApplicationContext api;
    @Autowired
    JdbcTemplate jdbc;
    @TempDir
    Path work;

    WorkerFixtures fixtures;
    Segment segment;
    BaseModel model;
    SucceededEvents published = new SucceededEvents();

    @BeforeEach
    void freshQueue() {
        // the queue is global: no job of another test may be claimable here
        // the registry (in the worker since it registers succeeded jobs) keeps versions that point at their jobs
        jdbc.update("DELETE FROM adapter_repositories");
        jdbc.update("DELETE FROM fine_tuning_jobs");
        fixtures = new WorkerFixtures(api);
        segment = fixtures.tenant("worker");
        model = fixtures.tinystories();
    }

    @Test
    void trainsAQloraJobFromQueuedToSucceededWithCheckpointsMetricsAndAPeftAdapter() throws Exception {
        // given
        Dataset data = fixtures.dataset(segment, WorkerFixtures.identityChat(40));
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.QLORA, quick(6));

        // when
        try (Worker worker = WorkerFixtures.worker("worker-a", work, published)) {
            awaitEnd(job.id());

            // then
            FineTuningJob done = fixtures.job(job.id());
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.trainedTokens()).hasValueSatisfying(t -> assertThat(t).isPositive());
            assertThat(done.leaseOwner()).isEmpty();
            assertThat(checkpointSteps(job.id())).containsExactly(2, 4, 6);
            for (int step : List.of(2, 4, 6)) {
                assertThat(fixtures.store().list(ObjectKeys.checkpointPrefix(segment.tenantId(), job.id(), step)))
                        .extracting(o -> o.key().substring(o.key().lastIndexOf('/') + 1))
                        .contains("trainer_state.json", "trainable.safetensors", "optimizer.safetensors");
                assertThat(fixtures.store().list(ObjectKeys.checkpointAdapterPrefix(segment.tenantId(), job.id(), step)))
                        .as("the adapter at step %d, loadable like a published one", step)
                        .extracting(o -> o.key().substring(o.key().lastIndexOf('/') + 1))
                        .containsExactlyInAnyOrder("adapter_config.json", "adapter_model.safetensors");
            }
            assertThat(jdbc.queryForList("SELECT step FROM job_metrics WHERE job_id = ? AND loss IS NOT NULL ORDER BY step",
                    Integer.class, job.id().value())).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(jdbc.queryForObject("SELECT eval_loss FROM job_metrics WHERE job_id = ? AND step = 6",
                    Double.class, job.id().value())).isPositive();

            String adapter = ObjectKeys.adapterPrefix(segment.tenantId(), job.id());
            assertThat(done.resultObjectKeys()).contains(adapter + "adapter_config.json",
                    adapter + "adapter_model.safetensors");
            JsonNode config;
            try (InputStream in = fixtures.store().get(adapter + "adapter_config.json")) {
                config = WorkerFixtures.JSON.readTree(in);
            }
            assertThat(config.get("peft_type").asText()).isEqualTo("LORA");
            assertThat(config.get("r").asInt()).isEqualTo(8);
            List<String> tensors;
            try (InputStream in = fixtures.store().get(adapter + "adapter_model.safetensors")) {
                tensors = WorkerFixtures.safetensorNames(in);
            }
            assertThat(tensors).isNotEmpty().allSatisfy(name -> assertThat(name)
                    .matches("base_model\\.model\\.model\\.layers\\.\\d+\\.self_attn\\.[qv]_proj\\.lora_[AB]\\.weight"));

            String weightsSha;
            try (InputStream in = fixtures.store().get(adapter + "adapter_model.safetensors")) {
                weightsSha = DigestUtils.sha256Hex(in.readAllBytes());
            }
            try (InputStream in = fixtures.store().get(ObjectKeys.checkpointAdapterPrefix(segment.tenantId(), job.id(), 6)
                    + "adapter_model.safetensors")) {
                assertThat(DigestUtils.sha256Hex(in.readAllBytes())).as("the last checkpoint's adapter is the one published")
                        .isEqualTo(weightsSha);
            }
            assertThat(published.received).singleElement().satisfies(e -> {
                assertThat(e.jobId()).isEqualTo(job.id());
                assertThat(e.segment()).isEqualTo(segment.name());
                assertThat(e.datasetSha256()).isEqualTo(data.sha256());
                assertThat(e.evalSetSha256()).as("the held-out share of the training file the worker evaluated on")
                        .isEqualTo(e.lineage().evalSet().sha256());
                assertThat(e.lineage().evalSet().source()).isEqualTo(FineTuningSucceeded.EvalSet.HELD_OUT);
                assertThat(e.lineage().evalSet().datasetSha256()).isEqualTo(data.sha256());
                assertThat(e.baseModelSha256()).matches("[0-9a-f]{64}");
                assertThat(e.artifact().prefix()).isEqualTo(adapter);
                assertThat(e.artifact().weightsSha256()).isEqualTo(weightsSha);
                assertThat(e.artifact().sizeBytes()).isPositive();
                assertThat(e.hyperparameters()).isEqualTo(job.hyperparameters());
                assertThat(e.metrics().steps()).isEqualTo(6);
                assertThat(e.metrics().trainedTokens()).isEqualTo(done.trainedTokens().orElseThrow());
                assertThat(e.metrics().firstTrainLoss()).isPositive();
                assertThat(e.metrics().finalEvalLoss()).isPositive();
                assertThat(e.metrics().minEvalLoss()).isPositive().isLessThanOrEqualTo(e.metrics().finalEvalLoss());
                assertThat(e.createdBy()).isEqualTo("worker:worker-a");
            });
            // and the registry made it version 1 of the segment, which the job names as its model
            await("the job's registry version", Duration.ofSeconds(10),
                    () -> fixtures.job(job.id()).fineTunedModel().isPresent());
            assertThat(fixtures.job(job.id()).fineTunedModel()).contains(segment.name() + "/1");
            assertThat(jdbc.queryForList("SELECT number FROM adapter_versions WHERE source_job_id = ?", Integer.class,
                    job.id().value())).containsExactly(1);
            assertThat(batchStatuses(job.id())).containsExactly("COMPLETED");
            assertThat(prometheus(worker)).contains("finetune_worker_training_steps_total")
                    .contains("finetune_worker_trained_tokens_total")
                    .containsPattern("finetune_worker_job_duration_seconds_count\\{[^}]*outcome=\"succeeded\"");
        }
    }

    @Test
    void rejectsADatasetWithABrokenLineBeforeAnyTraining() {
        // given: a line broken behind the API's back (the row still says valid)
        List<String> lines = new java.util.ArrayList<>(WorkerFixtures.identityChat(20).lines().toList());
        lines.set(2, lines.get(2).substring(0, 25));
        Dataset data = fixtures.dataset(segment, String.join("\n", lines) + "\n");
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.QLORA, quick(6));

        // when
        try (Worker worker = WorkerFixtures.worker("worker-a", work, published)) {
            awaitEnd(job.id());
        }

        // then
        FineTuningJob done = fixtures.job(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.FAILED);
        assertThat(done.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("invalid_training_file");
            assertThat(e.param()).isEqualTo("training_file");
            assertThat(e.message()).contains("3").contains("Fix these lines");
        });
        assertNoCompute(job.id());
    }

    @Test
    void rejectsRankLargerThanTheModelsLayersBeforeAnyTraining() {
        // given: tinystories' k/v projections are 64 wide
        Dataset data = fixtures.dataset(segment, WorkerFixtures.identityChat(20));
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.LORA,
                quick(6).toBuilder().loraR(512).build());

        // when
        try (Worker worker = WorkerFixtures.worker("worker-a", work, published)) {
            awaitEnd(job.id());
        }

        // then
        FineTuningJob done = fixtures.job(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.FAILED);
        assertThat(done.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("invalid_hyperparameter");
            assertThat(e.param()).isEqualTo("lora_r");
            assertThat(e.message()).contains("lora_r must be <= 64").contains("but was 512");
        });
        assertNoCompute(job.id());
    }

    @Test
    void cancelWhileRunningEndsCancelledWithinOneSlice() {
        // given
        Dataset data = fixtures.dataset(segment, WorkerFixtures.identityChat(40));
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.QLORA, quick(400));

        try (Worker worker = WorkerFixtures.worker("worker-a", work, published)) {
            await("a first checkpoint", TIMEOUT, () -> !checkpointSteps(job.id()).isEmpty());

            // when: the API's cancel
            FineTuningJob running = fixtures.job(job.id());
            running.requestCancel(java.time.Instant.now());
            fixtures.jobs().save(running);
            int stepsAtCancel = checkpointSteps(job.id()).stream().mapToInt(Integer::intValue).max().orElseThrow();
            awaitEnd(job.id());

            // then
            FineTuningJob done = fixtures.job(job.id());
            assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(checkpointSteps(job.id())).last().satisfies(last ->
                    assertThat(last).isLessThanOrEqualTo(stepsAtCancel + 2));
            assertThat(published.received).isEmpty();
            assertThat(done.leaseOwner()).isEmpty();
        }
    }

    @Test
    void cancelStopsAfterTheStepInProgressNotAtTheEndOfTheSlice() {
        // given a slice as long as the whole run, so only the heartbeat can bring the cancel in early
        Dataset data = fixtures.dataset(segment, WorkerFixtures.identityChat(40));
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.LORA, quick(400));

        try (Worker worker = WorkerFixtures.worker("worker-c", work, published,
                Map.<String, Object>of("finetune.worker.slice-steps", "1000", "finetune.worker.slice-time", "30m"))) {
            await("the job to run", TIMEOUT, () -> fixtures.job(job.id()).status() == JobStatus.RUNNING);

            // when: the API's cancel, while the one slice trains
            FineTuningJob running = fixtures.job(job.id());
            running.requestCancel(java.time.Instant.now());
            fixtures.jobs().save(running);
            awaitEnd(job.id());

            // then it stopped at the next heartbeat, long before the slice (the whole run) would have ended
            FineTuningJob done = fixtures.job(job.id());
            assertThat(done.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(checkpointSteps(job.id())).allSatisfy(step -> assertThat(step).isLessThan(400));
            assertThat(published.received).isEmpty();
        }
    }

    /** Until the job is terminal and its worker gave the lease back. */
    void awaitEnd(JobId id) {
        await("job " + id + " to end", TIMEOUT, () -> {
            FineTuningJob job = fixtures.job(id);
            return job.status().isTerminal() && job.leaseOwner().isEmpty();
        });
    }

    private void assertNoCompute(JobId job) {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_metrics WHERE job_id = ?", Integer.class, job.value()))
                .isZero();
        assertThat(checkpointSteps(job)).isEmpty();
        assertThat(jdbc.queryForList("""
                SELECT s.step_name FROM batch_step_execution s
                  JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
                  JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                 WHERE p.parameter_name = 'fineTuningJobId' AND p.parameter_value = ?""", String.class,
                job.toString())).containsExactly("prepare");
        assertThat(published.received).isEmpty();
    }

    List<Integer> checkpointSteps(JobId job) {
        return jdbc.queryForList("SELECT step FROM job_checkpoints WHERE job_id = ? ORDER BY step", Integer.class,
                job.value());
    }

    List<String> batchStatuses(JobId job) {
        return jdbc.queryForList("""
                SELECT e.status FROM batch_job_execution e
                  JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                 WHERE p.parameter_name = 'fineTuningJobId' AND p.parameter_value = ?
                 ORDER BY e.job_execution_id""", String.class, job.toString());
    }

    static String prometheus(Worker worker) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + worker.port() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
