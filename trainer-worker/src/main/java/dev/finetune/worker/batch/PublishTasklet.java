package dev.finetune.worker.batch;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.finetune.core.job.FineTuningJob;
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
 * last, then marks the job succeeded and publishes {@link FineTuningSucceeded} in one transaction.
 * Uploading again on a restart overwrites the same keys, so the step is safe to repeat.
 */
@Component
class PublishTasklet implements Tasklet {

    static final String CONFIG = "adapter_config.json";

    private final WorkerState state;
    private final TrainingWorkspace workspace;
    private final ObjectTransfer transfer;
    private final JobOutcomes outcomes;

    PublishTasklet(WorkerState state, TrainingWorkspace workspace, ObjectTransfer transfer, JobOutcomes outcomes) {
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
        String prefix = ObjectKeys.adapterPrefix(active.tenantId(), active.jobId());
        List<String> keys = transfer.uploadDirectory(out, prefix, CONFIG);
        TrainingSummary s = engine.summary();
        FineTuningJob job = session.job();
        FineTuningSucceeded event = new FineTuningSucceeded(job.id(), job.tenantId(), job.segmentId(),
                job.baseModelId(), session.baseModel().name(), job.method(),
                engine.spec().method().isLora() ? "peft" : "adapterhub", prefix, keys, job.suffix().orElse(null),
                new FineTuningSucceeded.Metrics(s.steps(), s.trainedTokens(), finite(s.finalLoss()),
                        s.initialEvalLoss(), s.finalEval() == null ? null : finite(s.finalEval().loss()),
                        s.finalEval() == null ? null : finite(s.finalEval().perplexity())),
                Instant.now());
        outcomes.succeed(active, s.trainedTokens(), keys, event)
                .orElseThrow(() -> new LeaseLostException(active.jobId()));
        return RepeatStatus.FINISHED;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
