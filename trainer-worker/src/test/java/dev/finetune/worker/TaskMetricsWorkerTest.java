package dev.finetune.worker;

import static dev.finetune.worker.WorkerFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.TaskEvaluation;
import dev.finetune.registry.TaskEvaluations;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.TargetModules;
import dev.finetune.worker.WorkerFixtures.SucceededEvents;
import dev.finetune.worker.WorkerFixtures.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Task metrics from generation on the bundled identity data: after training, the held-out records'
 * prompts are answered by the base model and by the adapter, scored against the records' answers,
 * written next to the adapter and onto the registry version.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "finetune.worker.enabled=false")
@RealInfrastructure
class TaskMetricsWorkerTest {

    @Autowired
    ConfigurableApplicationContext api;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    AdapterRegistry registry;
    @TempDir
    Path work;

    @Test
    void theTrainedAdapterAnswersTheHeldOutIdentityPromptsFarBetterThanTheBaseModel() throws Exception {
        // given the whole identity set (91 records, 9 held out) and a run long enough to learn its answers
        jdbc.update("DELETE FROM adapter_repositories");
        jdbc.update("DELETE FROM fine_tuning_jobs");
        WorkerFixtures fixtures = new WorkerFixtures(api);
        Segment segment = fixtures.tenant("taskeval");
        BaseModel model = fixtures.tinystories();
        Dataset data = fixtures.dataset(segment, "identity.jsonl", WorkerFixtures.identityChat(91));
        Hyperparameters h = Hyperparameters.builder().maxSteps(160).batchSize(4).learningRate(3e-3).maxSeqLength(128)
                .warmupRatio(0.0).loraR(16).loraAlpha(32).loraDropout(0.0)
                .targetModules(TargetModules.ALL).build();
        FineTuningJob job = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA, h, 11L, null);
        SucceededEvents published = new SucceededEvents();

        // when
        try (Worker worker = WorkerFixtures.worker("worker-t", work, published, Map.of(
                "finetune.worker.slice-steps", "80",
                "finetune.worker.task-eval.max-examples", "9",
                "finetune.worker.task-eval.max-new-tokens", "48"))) {
            await("the job to end", Duration.ofMinutes(8), () -> {
                FineTuningJob j = fixtures.job(job.id());
                return j.status().isTerminal() && j.leaseOwner().isEmpty();
            });

            // and on demand: the registered version against another dataset of the tenant, run by the idle worker
            await("the version", Duration.ofSeconds(10), () -> fixtures.job(job.id()).fineTunedModel().isPresent());
            Dataset other = fixtures.dataset(segment, "identity-first-5.jsonl", WorkerFixtures.identityChat(5));
            TaskEvaluations evaluations = api.getBean(TaskEvaluations.class);
            TaskEvaluation queued = evaluations.request(segment.tenantId(), segment.name(), 1, other.id(), 5, 32, null, "test");
            assertThat(queued.status()).isEqualTo("queued");
            await("the on-demand evaluation", Duration.ofMinutes(4), () -> List.of("succeeded", "failed")
                    .contains(evaluations.find(segment.tenantId(), queued.id()).orElseThrow().status()));
            TaskEvaluation done = evaluations.find(segment.tenantId(), queued.id()).orElseThrow();
            assertThat(done.status()).as("error %s", done.error()).isEqualTo("succeeded");
            System.out.printf(java.util.Locale.ROOT, "on demand, version 1 on 5 identity records: exact match %.3f -> %.3f, "
                    + "ROUGE-L %.3f -> %.3f%n", done.result().base().exactMatch(), done.result().adapter().exactMatch(),
                    done.result().base().rougeL(), done.result().adapter().rougeL());
            assertThat(done.result().examples()).isEqualTo(5);
            assertThat(done.result().maxNewTokens()).isEqualTo(32);
            assertThat(done.result().adapter().rougeL()).isGreaterThan(done.result().base().rougeL());
            try (InputStream in = fixtures.store().get(done.examplesFile())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()).hasSize(5);
            }
            assertThat(done.examplesFile()).startsWith("tenants/" + segment.tenantId().value() + "/task-evaluations/");
            assertThat(evaluations.ofVersion(segment.tenantId(), segment.name(), 1)).extracting(TaskEvaluation::id)
                    .containsExactly(queued.id());
            Segment stranger = fixtures.tenant("stranger");
            assertThat(evaluations.find(stranger.tenantId(), queued.id())).as("another tenant's evaluation").isEmpty();
            Dataset theirs = fixtures.dataset(stranger, WorkerFixtures.identityChat(3));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> evaluations.request(segment.tenantId(), segment.name(),
                    1, theirs.id(), 5, 32, null, "test")).hasMessageContaining("dataset");
        }

        // then
        assertThat(fixtures.job(job.id()).status()).as("error %s", fixtures.job(job.id()).error()).isEqualTo(JobStatus.SUCCEEDED);
        FineTuningSucceeded e = published.received.stream().filter(x -> x.jobId().equals(job.id())).findFirst().orElseThrow();
        FineTuningSucceeded.TaskMetrics m = e.taskMetrics();
        System.out.printf(java.util.Locale.ROOT, "training: first loss %.9f, final loss %.9f, final eval loss %.9f, "
                + "adapter sha256 %s%n", e.metrics().firstTrainLoss(), e.metrics().finalTrainLoss(),
                e.metrics().finalEvalLoss(), e.artifact().weightsSha256());
        System.out.printf(java.util.Locale.ROOT, "task metrics on %d held-out identity prompts, base -> adapter: "
                + "exact match %.3f -> %.3f, contains %.3f -> %.3f, ROUGE-L %.3f -> %.3f%n", m.examples(),
                m.base().exactMatch(), m.adapter().exactMatch(), m.base().contains(), m.adapter().contains(),
                m.base().rougeL(), m.adapter().rougeL());
        assertThat(m.examples()).isEqualTo(9);
        assertThat(m.maxNewTokens()).isEqualTo(48);
        assertThat(m.base().exactMatch()).isZero();
        assertThat(m.base().rougeL()).isLessThan(0.2);
        assertThat(m.adapter().rougeL()).isGreaterThan(m.base().rougeL() + 0.25);
        assertThat(m.adapter().contains()).isGreaterThan(m.base().contains());

        String prefix = ObjectKeys.adapterPrefix(segment.tenantId(), job.id());
        List<String> lines;
        try (InputStream in = fixtures.store().get(prefix + "task_eval.jsonl")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        lines.forEach(System.out::println);
        assertThat(lines).hasSize(9);
        JsonNode first = WorkerFixtures.JSON.readTree(lines.get(0));
        assertThat(first.get("prompt").asText()).isNotBlank();
        assertThat(first.get("reference").asText()).isNotBlank();
        assertThat(first.get("base").get("answer").isTextual()).isTrue();
        assertThat(first.get("adapter").get("rouge_l").isNumber()).isTrue();
        assertThat(jdbc.queryForList("SELECT message FROM job_events WHERE job_id = ?", String.class, job.id().value()))
                .anySatisfy(msg -> assertThat(msg).startsWith("Task metrics on 9 eval prompts, base -> adapter: "));

        AdapterVersion v = registry.version(segment.tenantId(), segment.name(), 1);
        assertThat(v.taskMetrics()).isEqualTo(m);
    }
}
