package dev.finetune.worker;

import static dev.finetune.worker.WorkerFixtures.await;
import static dev.finetune.worker.WorkerFixtures.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.registry.AdapterRef;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.BaseModelExpectation;
import dev.finetune.registry.Promotion;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.worker.WorkerFixtures.SucceededEvents;
import dev.finetune.worker.WorkerFixtures.Worker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a version's numbers were measured on and where its training started, end to end through a
 * worker and the registry: the validation file as the eval set, one held-out eval set per training
 * file whatever the seed, the base model's fingerprint enforced at resolution, and from_checkpoint
 * continuing another job's checkpoint.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "finetune.worker.enabled=false")
@RealInfrastructure
class EvaluationLineageTest {

    static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Autowired
    ConfigurableApplicationContext api;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    AdapterRegistry registry;
    @TempDir
    Path work;

    WorkerFixtures fixtures;
    Segment segment;
    BaseModel model;
    SucceededEvents published = new SucceededEvents();

    @BeforeEach
    void freshQueue() {
        jdbc.update("DELETE FROM adapter_repositories");
        jdbc.update("DELETE FROM fine_tuning_jobs");
        fixtures = new WorkerFixtures(api);
        segment = fixtures.tenant("lineage");
        model = fixtures.tinystories();
    }

    @Test
    void jobsOnTheSameFileWithOtherSeedsShareOneEvalSetTheGateComparesAndTheBaseFingerprintIsEnforced() throws Exception {
        // given
        Dataset data = fixtures.dataset(segment, "identity-40.jsonl", WorkerFixtures.identityChat(40));
        FineTuningJob first = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA, quick(2), 1L, null);
        FineTuningJob second = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA, quick(2), 2L, null);

        // when
        try (Worker worker = WorkerFixtures.worker("worker-e", work, published)) {
            awaitEnd(first.id());
            awaitEnd(second.id());
        }

        // then both held out the same examples of the file and say so
        FineTuningSucceeded a = event(first.id());
        FineTuningSucceeded b = event(second.id());
        assertThat(a.evalSetSha256()).isNotNull().isEqualTo(b.evalSetSha256());
        FineTuningSucceeded.EvalSet set = a.lineage().evalSet();
        assertThat(set.source()).isEqualTo(FineTuningSucceeded.EvalSet.HELD_OUT);
        assertThat(set.datasetId()).isEqualTo(data.id().value());
        assertThat(set.datasetName()).isEqualTo("identity-40.jsonl");
        assertThat(set.datasetSha256()).isEqualTo(data.sha256());
        assertThat(set.fraction()).isEqualTo(0.1);
        assertThat(set.maxSeqLength()).isEqualTo(128);
        assertThat(set.examples()).isEqualTo(4);
        assertThat(set).isEqualTo(b.lineage().evalSet());
        assertThat(events(first.id())).anySatisfy(m -> assertThat(m).startsWith("Eval set: 4 examples (10%) held out "
                + "of training_file 'identity-40.jsonl'")).noneSatisfy(m -> assertThat(m).contains("not used yet"));

        // and the registry version names the file and the eval set, and compares the two
        await("both versions", Duration.ofSeconds(10), () -> fixtures.job(second.id()).fineTunedModel().isPresent());
        AdapterVersion v1 = version(first.id());
        AdapterVersion v2 = version(second.id());
        assertThat(v1.datasetName()).isEqualTo("identity-40.jsonl");
        assertThat(v1.datasetId()).isEqualTo(data.id().value());
        assertThat(v1.baseModelName()).isEqualTo(model.name());
        assertThat(v1.evalSet().sha256()).isEqualTo(v1.evalSetSha256());
        assertThat(v1.evalSet().source()).isEqualTo("held_out");
        assertThat(v1.evalSet().datasetName()).isEqualTo("identity-40.jsonl");
        assertThat(v1.fromCheckpoint()).isNull();
        assertThat(registry.compare(segment.tenantId(), segment.name(), v1.number(), v2.number()).sameEvalSet()).isTrue();
        registry.promote(segment.tenantId(), segment.name(), "production", Promotion.of(v1.number()), "test");
        try {
            registry.promote(segment.tenantId(), segment.name(), "production", Promotion.of(v2.number()), "test");
            assertThat(v2.evalLoss()).isLessThanOrEqualTo(v1.evalLoss());
        } catch (PlatformProblem blocked) {
            assertThat(blocked.getMessage()).contains("eval_loss " + v2.evalLoss() + " > " + v1.evalLoss())
                    .doesNotContain("different eval sets");
        }

        // and the base model's fingerprint is the one in the adapter file, and resolution enforces it
        String fingerprint = adapterFingerprint(first.id());
        assertThat(v1.baseModelSha256()).isEqualTo(fingerprint).isEqualTo(a.baseModelSha256());
        AdapterRef ref = AdapterRef.version(segment.name(), v1.number());
        assertThat(registry.resolve(segment.tenantId(), ref, new BaseModelExpectation(model.name(), fingerprint))
                .version().number()).isEqualTo(v1.number());
        assertThatThrownBy(() -> registry.resolve(segment.tenantId(), ref,
                new BaseModelExpectation(model.name(), "0".repeat(64))))
                .isInstanceOf(PlatformProblem.class).hasMessageContaining("cannot be served on that base model");
    }

    @Test
    void theValidationFileIsTheEvalSetAndTheWholeTrainingFileIsTrainedOn() {
        // given: 40 records to train on, 6 other records to evaluate on
        List<String> records = WorkerFixtures.identityChat(46).lines().toList();
        Dataset train = fixtures.dataset(segment, "train-40.jsonl", String.join("\n", records.subList(0, 40)) + "\n");
        Dataset validation = fixtures.dataset(segment, "eval-6.jsonl", String.join("\n", records.subList(40, 46)) + "\n");
        FineTuningJob job = fixtures.queue(segment, model, train, validation, FineTuningMethod.LORA, quick(2), 3L, null);

        // when
        try (Worker worker = WorkerFixtures.worker("worker-v", work, published)) {
            awaitEnd(job.id());
        }

        // then
        FineTuningSucceeded e = event(job.id());
        FineTuningSucceeded.EvalSet set = e.lineage().evalSet();
        assertThat(set.source()).isEqualTo(FineTuningSucceeded.EvalSet.VALIDATION_FILE);
        assertThat(set.datasetId()).isEqualTo(validation.id().value());
        assertThat(set.datasetName()).isEqualTo("eval-6.jsonl");
        assertThat(set.datasetSha256()).isEqualTo(validation.sha256());
        assertThat(set.fraction()).isNull();
        assertThat(set.examples()).isEqualTo(6);
        assertThat(e.evalSetSha256()).isEqualTo(set.sha256());
        assertThat(e.datasetSha256()).isEqualTo(train.sha256());
        assertThat(e.lineage().trainingFileName()).isEqualTo("train-40.jsonl");
        assertThat(events(job.id()))
                .anySatisfy(m -> assertThat(m).contains("40 rows -> 40 train / 6 eval sequences"))
                .anySatisfy(m -> assertThat(m).isEqualTo("Eval set: every example of validation_file 'eval-6.jsonl' (6 examples)"))
                .noneSatisfy(m -> assertThat(m).contains("not used yet"));
    }

    @Test
    void aBrokenValidationFileFailsTheJobNamingItBeforeAnyTraining() {
        // given a validation file broken behind the API's back (its row still says valid)
        List<String> records = WorkerFixtures.identityChat(6).lines().toList();
        Dataset train = fixtures.dataset(segment, "train.jsonl", WorkerFixtures.identityChat(20));
        Dataset validation = fixtures.dataset(segment, "eval.jsonl",
                records.get(0) + "\n" + records.get(1).substring(0, 20) + "\n");
        FineTuningJob job = fixtures.queue(segment, model, train, validation, FineTuningMethod.LORA, quick(2), 3L, null);

        // when
        try (Worker worker = WorkerFixtures.worker("worker-b", work, published)) {
            awaitEnd(job.id());
        }

        // then
        FineTuningJob done = fixtures.job(job.id());
        assertThat(done.status()).isEqualTo(JobStatus.FAILED);
        assertThat(done.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("invalid_validation_file");
            assertThat(e.param()).isEqualTo("validation_file");
            assertThat(e.message()).startsWith("the validation file has 1 bad record(s) of 2: 2: invalid JSON");
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_metrics WHERE job_id = ?", Integer.class,
                job.id().value())).isZero();
    }

    @Test
    void fromCheckpointContinuesAnotherJobsCheckpointFromItsEvalLossAndRecordsTheParent() {
        // given a finished parent with a checkpoint at its last step, 4
        Dataset data = fixtures.dataset(segment, "identity-40.jsonl", WorkerFixtures.identityChat(40));
        FineTuningJob parent = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA, quick(4), 5L, null);
        try (Worker worker = WorkerFixtures.worker("worker-p", work, published)) {
            awaitEnd(parent.id());
            assertThat(fixtures.job(parent.id()).status()).isEqualTo(JobStatus.SUCCEEDED);
            Double parentEvalLoss = jdbc.queryForObject("SELECT eval_loss FROM job_metrics WHERE job_id = ? AND step = 4",
                    Double.class, parent.id().value());

            // when a job of the same tenant starts from it, with another seed, and one with another rank
            FineTuningJob child = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA, quick(2), 6L,
                    new CheckpointRef(parent.id(), 4));
            awaitEnd(child.id());
            FineTuningJob otherRank = fixtures.queue(segment, model, data, null, FineTuningMethod.LORA,
                    quick(2).toBuilder().loraR(4).build(), 6L, new CheckpointRef(parent.id(), 4));
            awaitEnd(otherRank.id());

            // then the child's first eval loss is the parent checkpoint's, and its lineage names the parent
            FineTuningSucceeded e = event(child.id());
            assertThat(parentEvalLoss).isNotNull();
            System.out.printf(java.util.Locale.ROOT, "from_checkpoint: parent's eval loss at step 4 %.9f, "
                    + "child's first eval loss %.9f%n", parentEvalLoss, e.metrics().initialEvalLoss());
            assertThat(e.metrics().initialEvalLoss()).as("first eval loss of the child").isEqualTo(parentEvalLoss);
            assertThat(e.lineage().fromCheckpoint()).isEqualTo(new CheckpointRef(parent.id(), 4));
            assertThat(events(child.id())).anySatisfy(m -> assertThat(m).isEqualTo("Started from checkpoint "
                    + parent.id() + ":step-4: its adapter weights and optimizer state"));
            await("the child's version", Duration.ofSeconds(10), () -> fixtures.job(child.id()).fineTunedModel().isPresent());
            AdapterVersion v = version(child.id());
            assertThat(v.fromCheckpoint().jobId()).isEqualTo(parent.id().value());
            assertThat(v.fromCheckpoint().step()).isEqualTo(4);
            assertThat(v.fromCheckpoint().checkpoint()).isEqualTo(parent.id() + ":step-4");

            FineTuningJob refused = fixtures.job(otherRank.id());
            assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
            assertThat(refused.error()).hasValueSatisfying(err -> {
                assertThat(err.code()).isEqualTo("invalid_hyperparameter");
                assertThat(err.param()).isEqualTo("from_checkpoint");
                assertThat(err.message()).contains("another rank or method");
            });
        }

        // and another tenant's job cannot even name the checkpoint: the reference is tenant-bound in the schema
        Segment other = fixtures.tenant("other");
        Dataset theirs = fixtures.dataset(other, WorkerFixtures.identityChat(20));
        assertThatThrownBy(() -> fixtures.queue(other, model, theirs, null, FineTuningMethod.LORA, quick(2), 1L,
                new CheckpointRef(parent.id(), 4))).isInstanceOf(DataIntegrityViolationException.class);
    }

    private FineTuningSucceeded event(JobId job) {
        return published.received.stream().filter(e -> e.jobId().equals(job)).findFirst()
                .orElseThrow(() -> new AssertionError("job " + job + " published nothing: " + fixtures.job(job).error()));
    }

    private AdapterVersion version(JobId job) {
        String ref = fixtures.job(job).fineTunedModel().orElseThrow();
        return registry.version(segment.tenantId(), segment.name(), Integer.parseInt(ref.substring(ref.indexOf('/') + 1)));
    }

    private List<String> events(JobId job) {
        return jdbc.queryForList("SELECT message FROM job_events WHERE job_id = ? ORDER BY id", String.class, job.value());
    }

    private String adapterFingerprint(JobId job) throws Exception {
        try (InputStream in = fixtures.store().get(ObjectKeys.adapterPrefix(segment.tenantId(), job) + "adapter_model.safetensors")) {
            long n = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode header = WorkerFixtures.JSON.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
            return header.path("__metadata__").path("finetune.base_model_fingerprint").asText();
        }
    }

    void awaitEnd(JobId id) {
        await("job " + id + " to end", TIMEOUT, () -> {
            FineTuningJob job = fixtures.job(id);
            return job.status().isTerminal() && job.leaseOwner().isEmpty();
        });
    }
}
