package dev.finetune.core.job;

/** Names one checkpoint: the job that wrote it and the optimiser step it was taken at. */
public record CheckpointRef(JobId job, int step) {

    public CheckpointRef {
        if (job == null) {
            throw new IllegalArgumentException("from_checkpoint job must not be null");
        }
        if (step < 0) {
            throw new IllegalArgumentException("from_checkpoint step must be >= 0");
        }
    }
}
