package dev.finetune.core.job;

import java.util.Optional;
import java.util.UUID;

/**
 * Names one checkpoint: the job that wrote it and the optimiser step it was taken at. Its name,
 * {@code <job id>:step-<n>}, is what the API shows as a checkpoint's id and
 * {@code fine_tuned_model_checkpoint}, what a job's {@code from_checkpoint} takes and what serving
 * answers as a {@code model}.
 */
public record CheckpointRef(JobId job, int step) {

    private static final String STEP = ":step-";

    public CheckpointRef {
        if (job == null) {
            throw new IllegalArgumentException("from_checkpoint job must not be null");
        }
        if (step < 0) {
            throw new IllegalArgumentException("from_checkpoint step must be >= 0");
        }
    }

    /** {@code <job id>:step-<n>}. */
    public String name() {
        return job + STEP + step;
    }

    /** The reference a name of the form {@code <job id>:step-<n>} stands for; empty for any other text. */
    public static Optional<CheckpointRef> parse(String name) {
        int cut = name == null ? -1 : name.lastIndexOf(STEP);
        if (cut < 0) {
            return Optional.empty();
        }
        try {
            UUID job = UUID.fromString(name.substring(0, cut).trim());
            int step = Integer.parseInt(name.substring(cut + STEP.length()));
            return step < 0 ? Optional.empty() : Optional.of(new CheckpointRef(new JobId(job), step));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // NumberFormatException included
        }
    }
}
