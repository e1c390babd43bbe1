package dev.finetune.worker.batch;

import dev.finetune.core.job.JobId;
import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.WorkerState;
import org.springframework.batch.core.step.StepContribution;
import org.slf4j.MDC;

/** Reads the fine-tuning job id of a Spring Batch step and marks the thread's log lines with the phase. */
public final class StepSupport {

    /** The identifying job parameter: one Spring Batch job instance per fine-tuning job. */
    static final String JOB_ID = "fineTuningJobId";

    private StepSupport() {
    }

    static ActiveJob active(WorkerState state, StepContribution contribution, String phase) {
        String id = contribution.getStepExecution().getJobExecution().getJobParameters().getString(JOB_ID);
        ActiveJob job = state.require(JobId.parse(id));
        job.phase(phase);
        MDC.put("phase", phase);
        return job;
    }
}
