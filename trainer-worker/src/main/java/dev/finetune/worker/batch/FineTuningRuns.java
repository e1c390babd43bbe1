package dev.finetune.worker.batch;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.progress.ProgressLog;
import dev.finetune.worker.workspace.TrainingWorkspace;
import java.util.List;
import java.util.Map;

import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobError;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.core.queue.ClaimedJob;
import dev.finetune.core.queue.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Runs a claimed fine-tuning job as its Spring Batch job on the calling thread, and settles the
 * outcome. The Spring Batch job instance is keyed by the fine-tuning job's id: a first claim
 * starts it; a claim that took over from a dead worker first marks the dead worker's execution
 * failed ({@link JobOperator#recover}) and then starts the same instance again, which Spring Batch
 * treats as a restart, so training resumes from the last checkpoint.
 */
@Component
public class FineTuningRuns {

    /** How a run ended for this worker. */
    public enum Outcome {
        SUCCEEDED, FAILED, CANCELLED,
        /** stopped for a shutdown: the lease is given back and the job queued again */
        RELEASED,
        /** the lease was lost: another worker owns the job, nothing was written */
        LOST
    }

    private static final Logger log = LoggerFactory.getLogger(FineTuningRuns.class);

    private final WorkerState state;
    private final JobOperator operator;
    private final JobRepository batchJobs;
    private final Job fineTuningJob;
    private final JobQueue queue;
    private final FineTuningJobRepository jobs;
    private final TrainingWorkspace workspace;
    private final JobOutcomes outcomes;
    private final ProgressLog progress;

    FineTuningRuns(WorkerState state, JobOperator operator, JobRepository batchJobs,
            @org.springframework.beans.factory.annotation.Qualifier("fineTuningJob") Job fineTuningJob,
            JobQueue queue, FineTuningJobRepository jobs, TrainingWorkspace workspace, JobOutcomes outcomes,
            ProgressLog progress) {
        this.state = state;
        this.operator = operator;
        this.batchJobs = batchJobs;
        this.fineTuningJob = fineTuningJob;
        this.queue = queue;
        this.jobs = jobs;
        this.workspace = workspace;
        this.outcomes = outcomes;
        this.progress = progress;
    }

    /** Makes the claim this worker's active job and tags the thread's log lines with it. */
    public ActiveJob begin(ClaimedJob claim) {
        ActiveJob active = state.begin(claim);
        MDC.put("tenantId", claim.tenantId().toString());
        MDC.put("jobId", claim.jobId().toString());
        return active;
    }

    /** Runs the job to its end for this worker; never throws. */
    public Outcome run(ActiveJob active) {
        JobParameters parameters = new JobParametersBuilder()
                .addString(StepSupport.JOB_ID, active.jobId().toString(), true).toJobParameters();
        try {
            JobExecution last = batchJobs.getLastJobExecution(FineTuningJobConfiguration.JOB_NAME, parameters);
            if (last != null && last.isRunning()) {
                log.info("recovering Spring Batch execution {} left running by {}", last.getId(),
                        active.previousOwner().orElse("a previous owner"));
                operator.recover(last);
            }
            progress.event(active.jobId(), EventLevel.INFO, last == null ? "Started on worker " + active.worker()
                    : "Restarted on worker " + active.worker() + " (attempt " + active.attempt() + ")",
                    Map.of("worker", active.worker().value(), "attempt", active.attempt(),
                            "previous_owner", active.previousOwner().orElse("")));
            JobExecution execution = operator.start(fineTuningJob, parameters);
            return settle(active, execution);
        } catch (Exception e) {
            return failed(active, e, false);
        }
    }

    /** Gives the lease back (a job still running goes back to the queue) and forgets the job. */
    public void end(ActiveJob active) {
        try {
            workspace.close();
        } catch (RuntimeException e) {
            log.warn("closing the session of {} failed: {}", active.jobId(), e.toString());
        }
        try {
            queue.release(active.jobId(), active.worker());
        } catch (RuntimeException e) {
            log.warn("releasing the lease on {} failed (it will expire): {}", active.jobId(), e.toString());
        } finally {
            state.end(active);
            MDC.remove("tenantId");
            MDC.remove("jobId");
            MDC.remove("phase");
        }
    }

    private Outcome settle(ActiveJob active, JobExecution execution) {
        BatchStatus status = execution.getStatus();
        if (status == BatchStatus.COMPLETED) {
            JobStatus now = jobs.find(active.jobId()).map(j -> j.status()).orElse(JobStatus.FAILED);
            log.info("job ended {}", now.wireName());
            return now == JobStatus.CANCELLED ? Outcome.CANCELLED : Outcome.SUCCEEDED;
        }
        if (status == BatchStatus.STOPPED && !active.leaseLost()) {
            if (active.stopRequest() == ActiveJob.Stop.CANCEL) {
                return outcomes.cancel(active, active.step()).isPresent() ? Outcome.CANCELLED : Outcome.LOST;
            }
            log.info("stopped at step {} for shutdown; the job goes back to the queue", active.step());
            progress.event(active.jobId(), EventLevel.INFO, "Paused at step " + active.step()
                    + " because worker " + active.worker() + " is shutting down; another worker will resume it",
                    Map.of("step", active.step()));
            return Outcome.RELEASED;
        }
        List<Throwable> failures = execution.getAllFailureExceptions();
        Throwable cause = failures.isEmpty()
                ? new IllegalStateException("Spring Batch ended the job " + status + " without an exception")
                : failures.get(0);
        return failed(active, cause, true);
    }

    private boolean stillOwned(ActiveJob active) {
        try {
            return progress.ownedStatus(active).isPresent();
        } catch (RuntimeException e) {
            return true; // cannot tell: try to record the failure, which is fenced anyway
        }
    }

    /** {@code logged}: Spring Batch already logged the exception with its stack trace. */
    private Outcome failed(ActiveJob active, Throwable cause, boolean logged) {
        if (active.leaseLost() || Failures.isLeaseLost(cause) || !stillOwned(active)) {
            log.warn("lost the lease on the job; another worker continues or ended it ({})", cause.toString());
            return Outcome.LOST;
        }
        JobError error = Failures.describe(cause);
        if (logged) {
            log.error("job failed: {} ({})", error.message(), error.code());
        } else {
            log.error("job failed: {} ({})", error.message(), error.code(), cause);
        }
        try {
            return outcomes.fail(active, error).isPresent() ? Outcome.FAILED : Outcome.LOST;
        } catch (RuntimeException e) {
            log.error("could not record the failure of the job (its lease will expire and it will be retried)", e);
            return Outcome.FAILED;
        }
    }
}
