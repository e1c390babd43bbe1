package dev.finetune.registry;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.tenant.SegmentName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Turns the worker's {@link dev.finetune.core.job.FineTuningSucceeded} into a registry version.
 * The worker knows what it trained; the registry's lineage also wants what the database and the
 * bucket know (segment name, hyperparameters, dataset hashes, the training curve, the artifact's
 * hash and size), so this listener gathers them and registers once the worker's transaction has
 * committed. Registration is idempotent per job, so a redelivered event is harmless.
 */
final class WorkerCompletions {

    private static final Logger log = LoggerFactory.getLogger(WorkerCompletions.class);

    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final Registrations registrations;

    WorkerCompletions(JdbcClient jdbc, ArtifactStore store, Registrations registrations) {
        this.jdbc = jdbc;
        this.store = store;
        this.registrations = registrations;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(dev.finetune.core.job.FineTuningSucceeded done) {
        try {
            Registration r = registrations.register(lineage(done));
            log.info("job {} is {} {}", done.jobId(), r.created() ? "registered as" : "already registered as", r.version().ref());
        } catch (RuntimeException e) {
            // the job has succeeded either way; the adapter stays in storage and the event can be replayed
            log.error("could not register the adapter of job {}: {}", done.jobId(), e.getMessage(), e);
        }
    }

    FineTuningSucceeded lineage(dev.finetune.core.job.FineTuningSucceeded done) {
        JobRow job = jdbc.sql("""
                select s.name as segment, j.hyperparameters::text as hyperparameters, j.seed,
                       t.sha256 as training_sha, v.sha256 as validation_sha
                from fine_tuning_jobs j
                join segments s on s.id = j.segment_id
                join datasets t on t.id = j.training_dataset_id
                left join datasets v on v.id = j.validation_dataset_id
                where j.id = :id and j.tenant_id = :tenant""")
                .param("id", done.jobId().value()).param("tenant", done.tenantId().value())
                .query(JobRow.class).single();
        Double firstLoss = jdbc.sql("select loss from job_metrics where job_id = :id order by step limit 1")
                .param("id", done.jobId().value()).query(Double.class).optional().orElse(null);
        Double minEval = jdbc.sql("select min(eval_loss) from job_metrics where job_id = :id")
                .param("id", done.jobId().value()).query(Double.class).optional().orElse(null);
        var m = done.metrics();
        // without a validation file the worker evaluates on a seeded hold-out of the training file:
        // the same training file and seed give the same eval set
        String evalSet = job.validationSha() != null ? job.validationSha()
                : sha256Hex(job.trainingSha() + ":holdout:" + job.seed());
        return new FineTuningSucceeded(done.jobId(), done.tenantId(), new SegmentName(job.segment()), done.baseModelId(),
                null, job.trainingSha(), evalSet, done.method(), Hyperparameters.fromJson(job.hyperparameters()),
                m.finalEvalLoss(), m.finalPerplexity(), m.initialEvalLoss(),
                new FineTuningSucceeded.TrainingCurve(m.steps(), firstLoss, m.finalTrainingLoss(), minEval),
                artifact(done), "worker", done.finishedAt());
    }

    private FineTuningSucceeded.AdapterArtifact artifact(dev.finetune.core.job.FineTuningSucceeded done) {
        List<ObjectInfo> files = store.list(done.adapterPrefix());
        long size = files.stream().mapToLong(ObjectInfo::size).sum();
        String weights = files.stream().map(ObjectInfo::key)
                .filter(k -> k.endsWith("adapter_model.safetensors") || k.endsWith("adapter.safetensors"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no adapter weights under " + done.adapterPrefix()));
        try (InputStream in = store.get(weights)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return new FineTuningSucceeded.AdapterArtifact(done.adapterPrefix(), HexFormat.of().formatHex(sha.digest()), size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + weights, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record JobRow(String segment, String hyperparameters, long seed, String trainingSha, String validationSha) {}
}
