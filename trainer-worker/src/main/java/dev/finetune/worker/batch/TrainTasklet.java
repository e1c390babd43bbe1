package dev.finetune.worker.batch;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.LeaseLostException;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.progress.ProgressLog;
import dev.finetune.worker.progress.SliceListener;
import dev.finetune.worker.workspace.JobSession;
import dev.finetune.worker.workspace.ObjectTransfer;
import dev.finetune.worker.workspace.TrainingWorkspace;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.finetune.core.job.JobStatus;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.train.TrainingCheckpoint;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.worker.WorkerProperties;
import dev.finetune.worker.progress.ProgressLog.Event;
import dev.finetune.worker.progress.ProgressLog.Slice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * One call, one slice: check that the job is still ours and not cancelled, run at most
 * {@code slice-steps} optimizer steps (or {@code slice-time}), write a checkpoint, upload it, then
 * record the checkpoint row, every step's metrics, the progress and an event in one short fenced
 * transaction. Returns CONTINUABLE until training is done; a cancel or a shutdown stops the step
 * (Spring Batch status STOPPED) right after the slice's checkpoint. A shutdown also cuts the slice
 * short: the loop leaves it after the optimizer step in progress, and the checkpoint holds every
 * step done.
 *
 * <p>The step runs under a resourceless transaction manager: Spring Batch wraps every call in a
 * transaction of the step's manager, and minutes of compute must never hold a database connection.
 */
@Component
public class TrainTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(TrainTasklet.class);

    private final WorkerState state;
    private final TrainingWorkspace workspace;
    private final ProgressLog progress;
    private final ObjectTransfer transfer;
    private final WorkerProperties properties;
    private final ObjectProvider<SliceListener> listeners;

    TrainTasklet(WorkerState state, TrainingWorkspace workspace, ProgressLog progress, ObjectTransfer transfer,
            WorkerProperties properties, ObjectProvider<SliceListener> listeners) {
        this.state = state;
        this.workspace = workspace;
        this.progress = progress;
        this.transfer = transfer;
        this.properties = properties;
        this.listeners = listeners;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        ActiveJob active = StepSupport.active(state, contribution, "training");
        JobSession session = workspace.open(active);
        FineTuneSession engine = session.engine();
        if (engine.finished()) {
            return RepeatStatus.FINISHED;
        }
        JobStatus status = progress.ownedStatus(active).orElseThrow(() -> new LeaseLostException(active.jobId()));
        if (status == JobStatus.CANCELLING) {
            active.requestStop(ActiveJob.Stop.CANCEL);
        }
        if (active.shouldLeaveSlice()) {
            contribution.getStepExecution().setTerminateOnly();
            return RepeatStatus.CONTINUABLE;
        }

        int from = engine.run().step();
        long tokensBefore = engine.run().trainedTokens();
        runSlice(engine, active);
        if (active.leaseLost()) {
            throw new LeaseLostException(active.jobId());
        }
        int to = engine.run().step();
        List<TrainingProgress> steps = session.drainProgress();
        String checkpoint = to > from ? checkpoint(session, active, to) : null;
        Optional<JobStatus> now = progress.recordSlice(active, slice(session, active, from, to, checkpoint, steps));
        if (now.isEmpty()) {
            active.markLeaseLost();
            throw new LeaseLostException(active.jobId());
        }
        listeners.orderedStream().forEach(l -> l.afterSlice(active, tokensBefore, steps));
        if (!steps.isEmpty()) {
            log.info(steps.get(steps.size() - 1).logLine());
        }
        if (engine.finished()) {
            return RepeatStatus.FINISHED;
        }
        if (now.get() == JobStatus.CANCELLING) {
            active.requestStop(ActiveJob.Stop.CANCEL);
        }
        if (active.stopRequest() != ActiveJob.Stop.NONE) {
            contribution.getStepExecution().setTerminateOnly();
        }
        return RepeatStatus.CONTINUABLE;
    }

    /** Steps until the slice's step or time budget is spent, training ends, or the job must stop. */
    private void runSlice(FineTuneSession engine, ActiveJob active) {
        Instant deadline = Instant.now().plus(properties.sliceTime());
        for (int i = 0; i < properties.sliceSteps() && !engine.finished(); i++) {
            ComputeLock.run(() -> engine.runSlice(1));
            if (active.shouldLeaveSlice() || Instant.now().isAfter(deadline)) {
                break;
            }
        }
    }

    /**
     * Saves the checkpoint locally, with the adapter at this step in its method's layout under
     * {@code adapter/} (what serving loads when a request names the checkpoint), uploads it
     * (trainer_state.json last) and returns its prefix.
     */
    private String checkpoint(JobSession session, ActiveJob active, int step) {
        Path dir = session.dir().resolve("checkpoints").resolve("step-" + step);
        FineTuneSession engine = session.engine();
        engine.saveCheckpoint(dir);
        engine.adapter().save(dir.resolve(ObjectKeys.CHECKPOINT_ADAPTER_DIR), engine.baseModelRef());
        String prefix = ObjectKeys.checkpointPrefix(active.tenantId(), active.jobId(), step);
        transfer.uploadDirectory(dir, prefix, TrainingCheckpoint.STATE);
        TrainingWorkspace.deleteRecursively(dir);
        return prefix;
    }

    private static Slice slice(JobSession session, ActiveJob active, int from, int to, String checkpoint, List<TrainingProgress> steps) {
        FineTuneSession engine = session.engine();
        TrainingProgress last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
        long tokens = engine.summary().trainedTokens();
        Instant eta = last == null || engine.finished() ? null : Instant.now().plus(last.eta());
        List<Event> events = new ArrayList<>();
        if (to > from) {
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("first_step", from + 1);
            data.put("last_step", to);
            data.put("total_steps", engine.run().totalSteps());
            data.put("loss", last == null ? null : last.loss());
            data.put("checkpoint", checkpoint);
            data.put("worker", active.worker().value());
            events.add(Event.info(String.format(java.util.Locale.ROOT, "Trained steps %d-%d of %d, loss %.4f",
                    from + 1, to, engine.run().totalSteps(), last == null ? Double.NaN : last.loss()), data));
        }
        return new Slice(to, checkpoint, steps, tokens, eta, events);
    }
}
