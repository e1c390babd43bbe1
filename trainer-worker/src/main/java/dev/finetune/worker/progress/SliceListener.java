package dev.finetune.worker.progress;

import dev.finetune.worker.lease.ActiveJob;
import java.util.List;

import dev.finetune.engine.train.TrainingProgress;

/**
 * Told on the training thread after each slice was recorded (its checkpoint uploaded, its metrics
 * committed). Beans of this type are picked up by the train step; the worker's metrics are one.
 */
public interface SliceListener {

    /**
     * @param tokensBefore real tokens the run had trained when the slice began (after a resume:
     *     those of the checkpoint), so {@code last step's trainedTokens - tokensBefore} is the slice's
     * @param steps the progress of every step in the slice, in order (may be empty)
     */
    void afterSlice(ActiveJob job, long tokensBefore, List<TrainingProgress> steps);
}
