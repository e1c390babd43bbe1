package dev.finetune.core.job;

/** A job was asked to move between two statuses that the transition table does not connect. */
public class IllegalJobTransitionException extends IllegalStateException {

    private final JobId jobId;
    private final JobStatus from;
    private final JobStatus to;

    public IllegalJobTransitionException(JobId jobId, JobStatus from, JobStatus to) {
        super("job " + jobId + " cannot go from " + from.wireName() + " to " + (to == null ? "null" : to.wireName())
                + " (allowed: " + from.allowedNext().stream().map(JobStatus::wireName).toList() + ")");
        this.jobId = jobId;
        this.from = from;
        this.to = to;
    }

    public JobId jobId() {
        return jobId;
    }

    public JobStatus from() {
        return from;
    }

    public JobStatus to() {
        return to;
    }
}
