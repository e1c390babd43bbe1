package dev.finetune.worker.batch;

import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.workspace.TrainingWorkspace;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * Downloads and validates everything the job needs and opens the engine session (resuming from the
 * latest checkpoint when there is one). It runs again on every restart, because a restarted job
 * may be on a worker that has none of the files.
 */
@Component
public class PrepareTasklet implements Tasklet {

    private final WorkerState state;
    private final TrainingWorkspace workspace;

    PrepareTasklet(WorkerState state, TrainingWorkspace workspace) {
        this.state = state;
        this.workspace = workspace;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        workspace.open(StepSupport.active(state, contribution, "preparing"));
        return RepeatStatus.FINISHED;
    }
}
