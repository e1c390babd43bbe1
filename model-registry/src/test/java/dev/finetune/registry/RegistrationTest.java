package dev.finetune.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.finetune.core.job.CompletionOutbox;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.FineTuningSucceeded.Artifact;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData.Fixture;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

@SpringBootTest
@RealInfrastructure
class RegistrationTest {

    @Autowired
    AdapterRegistry registry;
    @Autowired
    CompletionOutbox outbox;
    @Autowired
    JobCompletions completions;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    Adapters adapters;
    @Autowired
    ArtifactStore store;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void registersASucceededJobsAdapterFromItsOutboxEntryWithFullLineage() throws Exception {
        // given a succeeded job whose PEFT adapter is in object storage
        Fixture acme = adapters.tenant("acme", "acme-support");
        FineTuningSucceeded event = adapters.succeeded(acme, 0.42);

        // when the worker appends its completion to the outbox in the transaction that ends the job
        tx.executeWithoutResult(s -> outbox.append(event));

        // then, right after the commit, the segment's repository holds version 1 with the job's lineage
        AdapterVersion v = registry.version(acme.tenant().id(), acme.segment().name(), 1);
        assertThat(v.ref()).isEqualTo("acme-support/1");
        assertThat(v.sourceJobId()).isEqualTo(event.jobId().value());
        assertThat(v.baseModelId()).isEqualTo(acme.model().id().value());
        assertThat(v.baseModelName()).isEqualTo(acme.model().name());
        assertThat(v.baseModelSha256()).isEqualTo(event.baseModelSha256());
        assertThat(v.datasetSha256()).isEqualTo(event.datasetSha256());
        assertThat(v.evalSetSha256()).isEqualTo(Adapters.EVAL_SET);
        assertThat(v.method()).isEqualTo(event.method());
        assertThat(v.hyperparameters()).isEqualTo(event.hyperparameters());
        assertThat(v.evalLoss()).isEqualTo(0.42);
        assertThat(v.perplexity()).isEqualTo(Math.exp(0.42));
        assertThat(v.initialEvalLoss()).isEqualTo(1.42);
        FineTuningSucceeded.Metrics m = event.metrics();
        assertThat(v.curve()).isEqualTo(new TrainingCurve(40, m.firstTrainLoss(), m.finalTrainLoss(), m.minEvalLoss()));
        assertThat(v.artifact()).isEqualTo(new AdapterArtifact(event.artifact().prefix(),
                event.artifact().weightsSha256(), event.artifact().sizeBytes()));
        assertThat(v.createdBy()).isEqualTo("ft_worker");
        // and the job names the version as its model, and its outbox entry is complete
        assertThat(jobs.find(event.jobId()).orElseThrow().fineTunedModel()).contains("acme-support/1");
        assertThat(jdbc.queryForObject("SELECT completed_at IS NOT NULL FROM job_completion_outbox WHERE job_id = ?",
                Boolean.class, event.jobId().value())).isTrue();
        assertThat(v.tags()).isEmpty();
        assertThat(v.aliases()).isEmpty();
        // and its files are the ones the worker uploaded
        AdapterDownload download = registry.download(acme.tenant().id(), acme.segment().name(), 1);
        assertThat(download.files()).extracting(ArtifactFile::path)
                .containsExactly("adapter_config.json", "adapter_model.safetensors");
        try (InputStream in = download.open("adapter_model.safetensors")) {
            assertThat(DigestUtils.sha256Hex(in.readAllBytes())).isEqualTo(event.artifact().weightsSha256());
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        download.writeZip(zip);
        assertThat(zip.size()).isGreaterThan(100);
    }

    @Test
    void makesOneVersionWhenTheSameEventArrivesTwiceOrConcurrently() throws Exception {
        // given
        Fixture acme = adapters.tenant("acme", "acme-support");
        FineTuningSucceeded first = adapters.succeeded(acme, 0.5);
        FineTuningSucceeded second = adapters.succeeded(acme, 0.4);

        // when the first is delivered twice in a row and the second by four threads at once
        Registration once = registry.register(first);
        Registration again = registry.register(first);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Callable<Registration>> deliveries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            deliveries.add(() -> registry.register(second));
        }
        List<Registration> concurrent = new ArrayList<>();
        for (Future<Registration> f : pool.invokeAll(deliveries)) {
            concurrent.add(f.get());
        }
        pool.shutdown();

        // then
        assertThat(once.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.version().number()).isEqualTo(1);
        assertThat(concurrent).filteredOn(Registration::created).hasSize(1);
        assertThat(concurrent).extracting(r -> r.version().number()).containsOnly(2);
        assertThat(registry.search(acme.tenant().id(), VersionQuery.of(acme.segment().name()), null, null).items())
                .extracting(AdapterVersion::number).containsExactly(2, 1);
        assertThat(registry.repository(acme.tenant().id(), acme.segment().name()).latestVersion()).isEqualTo(2);
    }

    @Test
    void refusesAnArtifactOutsideTheTenantsStorageOrWithoutFiles() {
        // given one event pointing into another tenant's storage and one at an empty prefix
        Fixture acme = adapters.tenant("acme", "acme-support");
        Fixture other = adapters.tenant("other", "acme-support");
        FineTuningSucceeded good = adapters.succeeded(acme, 0.5);
        FineTuningSucceeded theirs = adapters.succeeded(other, 0.5);
        FineTuningSucceeded foreign = withArtifact(good, theirs.artifact());
        FineTuningSucceeded empty = withArtifact(good, new Artifact(good.artifact().prefix() + "nothing/",
                good.artifact().weightsSha256(), 1));

        // when / then
        assertThatThrownBy(() -> registry.register(foreign)).isInstanceOfSatisfying(PlatformProblem.class,
                p -> assertThat(p.kind()).isEqualTo(ProblemKind.VALIDATION)).hasMessageContaining("outside");
        assertThatThrownBy(() -> registry.register(empty)).hasMessageContaining("holds no files");
    }

    @Test
    void keepsVersionLineageImmutableInTheDatabase() {
        // given
        Fixture acme = adapters.tenant("acme", "acme-support");
        registry.register(adapters.succeeded(acme, 0.5));

        // when someone edits the row behind the registry's back
        // then PostgreSQL refuses; only the archive and delete marks may change
        assertThatThrownBy(() -> jdbc.update("UPDATE adapter_versions SET eval_loss = 0.1 WHERE tenant_id = ?",
                acme.tenant().id().value())).isInstanceOf(DataAccessException.class).hasMessageContaining("immutable");
        assertThat(jdbc.update("UPDATE adapter_versions SET archived_at = now() WHERE tenant_id = ?",
                acme.tenant().id().value())).isEqualTo(1);
    }

    @Test
    void retriesAFailedRegistrationWithBackoffUntilItSucceedsOnce() {
        // given a succeeded job whose outbox entry points at adapter files that are not there yet
        Fixture acme = adapters.tenant("acme", "acme-support");
        FineTuningSucceeded uploaded = adapters.succeeded(acme, 0.5);
        String late = uploaded.artifact().prefix() + "late/";
        FineTuningSucceeded event = withArtifact(uploaded, new Artifact(late, uploaded.artifact().weightsSha256(),
                uploaded.artifact().sizeBytes()));
        tx.executeWithoutResult(s -> outbox.append(event));

        // when the first delivery (right after the commit) failed, and the files arrive
        Map<String, Object> failed = jdbc.queryForMap("SELECT attempts, last_error, next_attempt_at > now() AS later "
                + "FROM job_completion_outbox WHERE job_id = ?", event.jobId().value());
        adapters.upload(acme, late);
        boolean retried = completions.deliver(event.jobId());
        boolean again = completions.deliver(event.jobId());

        // then the failure was kept with a later attempt time, and the retry registered the version once
        assertThat(failed).containsEntry("attempts", 1).containsEntry("later", true);
        assertThat((String) failed.get("last_error")).contains("holds no files");
        assertThat(retried).isTrue();
        assertThat(again).as("a completed entry is not delivered again").isFalse();
        assertThat(registry.search(acme.tenant().id(), VersionQuery.of(acme.segment().name()), null, null).items())
                .extracting(AdapterVersion::sourceJobId).containsExactly(event.jobId().value());
        assertThat(jobs.find(event.jobId()).orElseThrow().fineTunedModel()).contains("acme-support/1");
        assertThat(outbox.due(100)).doesNotContain(event.jobId());
    }

    @Test
    void registersTheTrainingFilesNameTheEvalSetAndTheParentCheckpointThroughTheOutbox() {
        // given a completion whose lineage names the files, the eval set and the checkpoint it started from
        Fixture acme = adapters.tenant("acme", "acme-support");
        FineTuningSucceeded plain = adapters.succeeded(acme, 0.42);
        java.util.UUID file = java.util.UUID.randomUUID();
        FineTuningSucceeded.EvalSet evalSet = new FineTuningSucceeded.EvalSet(FineTuningSucceeded.EvalSet.HELD_OUT, file,
                "support-chats.jsonl", plain.datasetSha256(), 0.1, "c".repeat(64), 512, false, 17);
        dev.finetune.core.job.CheckpointRef parent = new dev.finetune.core.job.CheckpointRef(
                dev.finetune.core.job.JobId.random(), 120);
        FineTuningSucceeded event = new FineTuningSucceeded(plain.jobId(), plain.tenantId(), plain.segment(),
                plain.baseModelId(), plain.baseModelSha256(), plain.datasetSha256(), evalSet.sha256(), plain.method(),
                plain.hyperparameters(), plain.metrics(), plain.artifact(), plain.createdBy(), plain.occurredAt(),
                new FineTuningSucceeded.Lineage(file, "support-chats.jsonl", evalSet, parent), null);

        // when it goes through the outbox (as JSON) to the registry
        tx.executeWithoutResult(s -> outbox.append(event));

        // then the version shows names, not only hashes
        AdapterVersion v = registry.version(acme.tenant().id(), acme.segment().name(), 1);
        assertThat(v.datasetId()).isEqualTo(file);
        assertThat(v.datasetName()).isEqualTo("support-chats.jsonl");
        assertThat(v.baseModelName()).isEqualTo(acme.model().name());
        assertThat(v.evalSetSha256()).isEqualTo(evalSet.sha256());
        assertThat(v.evalSet()).isEqualTo(new EvalSetLineage(evalSet.sha256(), "held_out", file, "support-chats.jsonl",
                plain.datasetSha256(), 0.1, "c".repeat(64), 512, false, 17));
        assertThat(v.fromCheckpoint()).isEqualTo(new CheckpointLineage(parent.job() + ":step-120", parent.job().value(), 120));
        assertThat(registry.compare(acme.tenant().id(), acme.segment().name(), 1, 1).lineage())
                .anySatisfy(r -> assertThat(r.name()).isEqualTo("eval_set_source"));
        // and an identity that does not match its eval set is refused before it is written
        assertThatThrownBy(() -> new FineTuningSucceeded(plain.jobId(), plain.tenantId(), plain.segment(),
                plain.baseModelId(), plain.baseModelSha256(), plain.datasetSha256(), "d".repeat(64), plain.method(),
                plain.hyperparameters(), plain.metrics(), plain.artifact(), plain.createdBy(), plain.occurredAt(),
                new FineTuningSucceeded.Lineage(file, "support-chats.jsonl", evalSet, null), null))
                .hasMessageContaining("eval_set_sha256 must be the eval set's identity");
    }

    @Test
    void theEvalSetIdentityIgnoresTheSeedAndNamesButNotTheShareTokenizerOrLength() {
        java.util.UUID id = java.util.UUID.randomUUID();
        String sha = "a".repeat(64);
        FineTuningSucceeded.EvalSet base = new FineTuningSucceeded.EvalSet("held_out", id, "a.jsonl", sha, 0.1,
                "c".repeat(64), 512, false, 9);
        assertThat(new FineTuningSucceeded.EvalSet("held_out", java.util.UUID.randomUUID(), "copy.jsonl", sha, 0.1,
                "c".repeat(64), 512, false, 9).sha256()).as("the same bytes uploaded twice").isEqualTo(base.sha256());
        assertThat(List.of(
                new FineTuningSucceeded.EvalSet("held_out", id, "a.jsonl", sha, 0.2, "c".repeat(64), 512, false, 9),
                new FineTuningSucceeded.EvalSet("held_out", id, "a.jsonl", sha, 0.1, "e".repeat(64), 512, false, 9),
                new FineTuningSucceeded.EvalSet("held_out", id, "a.jsonl", sha, 0.1, "c".repeat(64), 256, false, 9),
                new FineTuningSucceeded.EvalSet("held_out", id, "a.jsonl", sha, 0.1, "c".repeat(64), 512, true, 9),
                new FineTuningSucceeded.EvalSet("validation_file", id, "a.jsonl", sha, null, "c".repeat(64), 512, false, 9)))
                .extracting(FineTuningSucceeded.EvalSet::sha256).doesNotContain(base.sha256()).doesNotHaveDuplicates();
    }

    @Test
    void refusesToAppendAnOutboxEntryOutsideATransaction() {
        // given
        FineTuningSucceeded event = adapters.succeeded(adapters.tenant("acme", "acme-support"), 0.5);

        // when / then
        assertThatThrownBy(() -> outbox.append(event)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transaction that marks the job succeeded");
    }

    private static FineTuningSucceeded withArtifact(FineTuningSucceeded e, Artifact artifact) {
        return new FineTuningSucceeded(e.jobId(), e.tenantId(), e.segment(), e.baseModelId(), e.baseModelSha256(),
                e.datasetSha256(), e.evalSetSha256(), e.method(), e.hyperparameters(), e.metrics(), artifact,
                e.createdBy(), Instant.now());
    }
}
