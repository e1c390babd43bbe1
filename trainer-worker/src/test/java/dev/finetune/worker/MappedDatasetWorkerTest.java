package dev.finetune.worker;

import static dev.finetune.worker.WorkerFixtures.await;
import static dev.finetune.worker.WorkerFixtures.quick;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.settings.FineTuningMethod;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 16: a dataset stored with a field mapping trains. Real GSM8K records ({@code question} /
 * {@code answer}), stored as the API stores a mapped upload (format completion, mapping
 * prompt ← question, completion ← answer); the worker reads them through the mapping and trains.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "finetune.worker.enabled=false")
@RealInfrastructure
class MappedDatasetWorkerTest {

    @Autowired
    ConfigurableApplicationContext api;
    @Autowired
    JdbcTemplate jdbc;
    @TempDir
    Path work;

    @Test
    void trainsAGsm8kDatasetThroughItsStoredFieldMapping() throws IOException {
        // given: the queue holds only this job (the queue is global)
        jdbc.update("DELETE FROM adapter_repositories");
        jdbc.update("DELETE FROM fine_tuning_jobs");
        WorkerFixtures fixtures = new WorkerFixtures(api);
        Segment segment = fixtures.tenant("mapped");
        BaseModel model = fixtures.tinystories();
        String content = String.join("\n", Files.readAllLines(WorkerFixtures.samples()
                .resolve("datasets/gsm8k_train_400.jsonl"), StandardCharsets.UTF_8).subList(0, 40)) + "\n";
        assertThat(content).contains("\"question\"").doesNotContain("\"prompt\"");
        DatasetId id = DatasetId.random();
        String key = ObjectKeys.dataset(segment.tenantId(), id, "data.jsonl");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        fixtures.store().put(key, new java.io.ByteArrayInputStream(bytes), bytes.length, "application/jsonl");
        Dataset dataset = new Dataset(id, segment.tenantId(), "gsm8k.jsonl", DatasetFormat.COMPLETION, key,
                DigestUtils.sha256Hex(bytes), bytes.length, Map.of("prompt", "question", "completion", "answer"),
                Instant.now());
        dataset.markValid(40, bytes.length / 4);
        api.getBean(DatasetRepository.class).save(dataset);
        FineTuningJob job = fixtures.queue(segment, model, dataset, FineTuningMethod.LORA, quick(2));

        // when
        try (WorkerFixtures.Worker worker = WorkerFixtures.worker("worker-mapped", work, new WorkerFixtures.SucceededEvents())) {
            await("job " + job.id() + " to end", Duration.ofMinutes(3), () -> {
                FineTuningJob j = fixtures.job(job.id());
                return j.status().isTerminal() && j.leaseOwner().isEmpty();
            });
        }

        // then: it trained on the mapped records
        FineTuningJob done = fixtures.job(job.id());
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(jdbc.queryForList("SELECT step FROM job_metrics WHERE job_id = ? AND loss IS NOT NULL ORDER BY step",
                Integer.class, job.id().value())).containsExactly(1, 2);
    }
}
