package dev.finetune.worker.batch;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.progress.ProgressLog;
import dev.finetune.worker.workspace.TrainingWorkspace;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.finetune.core.progress.EventLevel;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.train.EvalResult;
import dev.finetune.engine.train.TrainingSummary;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * The final eval loss and perplexity on the held-out split, as a metric on the last step and an
 * event. The training loop already evaluates after its last step; this step only evaluates again
 * when that result is missing (e.g. a run resumed from its final checkpoint).
 */
@Component
public class EvaluateTasklet implements Tasklet {

    private final WorkerState state;
    private final TrainingWorkspace workspace;
    private final ProgressLog progress;

    EvaluateTasklet(WorkerState state, TrainingWorkspace workspace, ProgressLog progress) {
        this.state = state;
        this.workspace = workspace;
        this.progress = progress;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        ActiveJob active = StepSupport.active(state, contribution, "evaluating");
        FineTuneSession engine = workspace.open(active).engine();
        TrainingSummary summary = engine.summary();
        EvalResult eval = summary.finalEval();
        if (eval == null && !engine.prepared().data().eval().isEmpty()) {
            eval = ComputeLock.run(() -> engine.run().evaluate());
        }
        if (eval == null) {
            progress.event(active.jobId(), EventLevel.INFO, "No evaluation: the eval split is empty "
                    + "(finetune.worker.eval-fraction is 0 or the dataset is too small)", null);
            return RepeatStatus.FINISHED;
        }
        progress.recordEval(active.jobId(), summary.steps(), eval.loss());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step", summary.steps());
        data.put("eval_loss", finite(eval.loss()));
        data.put("perplexity", finite(eval.perplexity()));
        data.put("initial_eval_loss", summary.initialEvalLoss());
        data.put("eval_tokens", eval.tokens());
        progress.event(active.jobId(), EventLevel.INFO, String.format(java.util.Locale.ROOT,
                "Final evaluation: eval loss %.4f, perplexity %.2f%s", eval.loss(), eval.perplexity(),
                summary.initialEvalLoss() == null ? "" : String.format(java.util.Locale.ROOT,
                        " (before training: %.4f)", summary.initialEvalLoss())), data);
        return RepeatStatus.FINISHED;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
