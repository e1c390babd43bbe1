package dev.finetune.worker.lease;

import dev.finetune.core.job.JobId;

/** The worker no longer holds the job's lease: another worker may own it, so this one writes nothing more. */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException(JobId job) {
        super("the lease on job " + job + " was lost (expired or taken over); stopping without writing anything more");
    }
}
