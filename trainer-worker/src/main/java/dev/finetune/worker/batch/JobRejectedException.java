package dev.finetune.worker.batch;

import dev.finetune.core.job.JobError;

/** The job cannot run as submitted; {@link #error()} tells the user what to change. Thrown before any training. */
public class JobRejectedException extends RuntimeException {

    private final transient JobError error;

    public JobRejectedException(String code, String message, String param) {
        super(message);
        this.error = new JobError(code, message, param);
    }

    public JobError error() {
        return error;
    }
}
