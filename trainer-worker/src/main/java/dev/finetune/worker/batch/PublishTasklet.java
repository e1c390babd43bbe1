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

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.worker.progress.ProgressLog;
import dev.finetune.worker.taskeval.TaskEvaluation;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.train.TrainingSummary;
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
 * loaded, the eval set the losses were measured on (the validation file, or the training file's
 * held-out share) and the checkpoint the job started from. Uploading again on a restart overwrites the same keys, so the step is safe to repeat.
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

    private final TaskEvaluation taskEvaluation;
    private final ProgressLog progress;

    PublishTasklet(WorkerState state, TrainingWorkspace workspace, ObjectTransfer transfer, JobOutcomes outcomes,
            TaskEvaluation taskEvaluation, ProgressLog progress) {
        this.taskEvaluation = taskEvaluation;
        this.progress = progress;
        this.state = state;
        this.workspace = workspace;
        this.transfer = transfer;
        this.outcomes = outcomes;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        ActiveJob active = StepSupport.active(state, contribution, "publishing");
        JobSession session = workspace.open(active);
        FineTuneSession engine = session.engine();
        Path out = session.dir().resolve("adapter");
        engine.saveAdapter(out);
        FineTuningSucceeded.TaskMetrics taskMetrics = taskMetrics(active, engine, out);
        FineTuningSucceeded.Artifact artifact = artifact(out, ObjectKeys.adapterPrefix(active.tenantId(), active.jobId()));
        List<String> keys = transfer.uploadDirectory(out, artifact.prefix(), CONFIG);
        FineTuningJob job = session.job();
        FineTuningSucceeded.EvalSet evalSet = TrainingWorkspace.evalSet(session, engine.prepared().evalSet())
                .orElse(null);
        FineTuningSucceeded.Lineage lineage = new FineTuningSucceeded.Lineage(session.trainingFile().id().value(),
                session.trainingFile().name(), evalSet, job.fromCheckpoint().orElse(null));
        FineTuningSucceeded event = new FineTuningSucceeded(job.id(), job.tenantId(), session.segment(),
                job.baseModelId(), engine.baseModelRef().fingerprint(), session.trainingSha256(),
                evalSet == null ? null : evalSet.sha256(), job.method(), job.hyperparameters(),
                metrics(engine.summary()), artifact, "worker:" + active.worker().value(), Instant.now(), lineage,
                taskMetrics);
        outcomes.succeed(active, keys, event).orElseThrow(() -> new LeaseLostException(active.jobId()));
        return RepeatStatus.FINISHED;
    }

    /** Task metrics from generation when the worker is set to run them (finetune.worker.task-eval.*), else null. */
    private FineTuningSucceeded.TaskMetrics taskMetrics(ActiveJob active, FineTuneSession engine, Path out) {
        if (!taskEvaluation.enabled()) {
            return null;
        }
        TaskEvaluation.Result result = ComputeLock.run(() -> taskEvaluation.run(engine, out));
        if (result.metrics().isEmpty()) {
            progress.event(active.jobId(), EventLevel.INFO, "No task metrics: " + result.skipped(), null);
            return null;
        }
        FineTuningSucceeded.TaskMetrics m = result.metrics().get();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("examples", m.examples());
        data.put("base", m.base());
        data.put("adapter", m.adapter());
        progress.event(active.jobId(), EventLevel.INFO, String.format(Locale.ROOT, "Task metrics on %d eval prompts, "
                + "base -> adapter: exact match %.3f -> %.3f, contains %.3f -> %.3f, ROUGE-L %.3f -> %.3f%s",
                m.examples(), m.base().exactMatch(), m.adapter().exactMatch(), m.base().contains(), m.adapter().contains(),
                m.base().rougeL(), m.adapter().rougeL(), m.adapter().extractedMatch() == null ? ""
                        : String.format(Locale.ROOT, ", extracted match %.3f -> %.3f", m.base().extractedMatch(),
                                m.adapter().extractedMatch())), data);
        return m;
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
