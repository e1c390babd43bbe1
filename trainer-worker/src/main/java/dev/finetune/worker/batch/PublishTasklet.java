package dev.finetune.worker.batch;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.LeaseLostException;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.workspace.JobSession;
import dev.finetune.worker.workspace.ObjectTransfer;
import dev.finetune.worker.workspace.TrainingWorkspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.train.TrainingSummary;
import dev.finetune.worker.WorkerProperties;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * Saves the adapter (PEFT layout for lora/qlora, AdapterHub for adapter, plus
 * training_summary.json), uploads it to {@code tenants/{t}/adapters/{job}/} with its config file
 * last, then marks the job succeeded and appends {@link FineTuningSucceeded} to the completion
 * outbox in one transaction. The event carries the lineage this worker holds: the weights' sha256
 * is computed from the local file before upload, the base model's fingerprint from the weights as
 * loaded. Uploading again on a restart overwrites the same keys, so the step is safe to repeat.
 */
@Component
public class PublishTasklet implements Tasklet {

    static final String CONFIG = "adapter_config.json";
    /** The weights file of each adapter layout: PEFT's, AdapterHub's. */
    private static final List<String> WEIGHTS = List.of("adapter_model.safetensors", "adapter.safetensors");

    private final WorkerState state;
    private final TrainingWorkspace workspace;
    private final ObjectTransfer transfer;
    private final JobOutcomes outcomes;
    private final WorkerProperties properties;

    PublishTasklet(WorkerState state, TrainingWorkspace workspace, ObjectTransfer transfer, JobOutcomes outcomes,
            WorkerProperties properties) {
        this.state = state;
        this.workspace = workspace;
        this.transfer = transfer;
        this.outcomes = outcomes;
        this.properties = properties;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        ActiveJob active = StepSupport.active(state, contribution, "publishing");
        JobSession session = workspace.open(active);
        FineTuneSession engine = session.engine();
        Path out = session.dir().resolve("adapter");
        engine.saveAdapter(out);
        FineTuningSucceeded.Artifact artifact = artifact(out, ObjectKeys.adapterPrefix(active.tenantId(), active.jobId()));
        List<String> keys = transfer.uploadDirectory(out, artifact.prefix(), CONFIG);
        FineTuningJob job = session.job();
        String evalSet = engine.prepared().data().eval().isEmpty() ? null
                : FineTuningSucceeded.heldOutEvalSet(session.trainingSha256(), properties.evalFraction(), job.seed());
        FineTuningSucceeded event = new FineTuningSucceeded(job.id(), job.tenantId(), session.segment(),
                job.baseModelId(), engine.baseModelRef().fingerprint(), session.trainingSha256(), evalSet,
                job.method(), job.hyperparameters(), metrics(engine.summary()), artifact,
                "worker:" + active.worker().value(), Instant.now());
        outcomes.succeed(active, keys, event).orElseThrow(() -> new LeaseLostException(active.jobId()));
        return RepeatStatus.FINISHED;
    }

    private static FineTuningSucceeded.Metrics metrics(TrainingSummary s) {
        return new FineTuningSucceeded.Metrics(s.steps(), s.trainedTokens(), finite(s.firstLoss()),
                finite(s.finalLoss()), finiteOrNull(s.initialEvalLoss()),
                s.finalEval() == null ? null : finite(s.finalEval().loss()), finiteOrNull(s.bestEvalLoss()),
                s.finalEval() == null ? null : finite(s.finalEval().perplexity()));
    }

    /** The adapter's local files: the weights' sha256 and the size of everything that is uploaded. */
    private static FineTuningSucceeded.Artifact artifact(Path dir, String prefix) {
        Path weights = WEIGHTS.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new IllegalStateException("no adapter weights (" + WEIGHTS + ") in " + dir));
        try (Stream<Path> files = Files.walk(dir)) {
            long size = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                size += Files.size(f);
            }
            return new FineTuningSucceeded.Artifact(prefix, TrainingWorkspace.sha256(weights), size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Double finiteOrNull(Double v) {
        return v == null ? null : finite(v);
    }
}
