package dev.finetune.core.progress;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.JobStatusChanged;
import dev.finetune.core.job.JobSubmitted;
import org.springframework.context.event.EventListener;

/**
 * The one writer of a job's status lines in {@code job_events}: every {@link JobSubmitted} and
 * {@link JobStatusChanged}, whether from the job entity or the job queue's statements, becomes one
 * line. It listens synchronously, so the line is written in the transaction that changed the status
 * and commits (or rolls back) with it; it saves through JPA so that the line of a job inserted in
 * the same transaction follows the job's own (still queued) insert. Progress lines (steps, evaluations, resumes) stay with the
 * worker that knows them.
 */
public class JobStatusLog {

    private final JobEventRepository events;

    public JobStatusLog(JobEventRepository events) {
        this.events = events;
    }

    @EventListener
    void submitted(JobSubmitted event) {
        events.save(new JobEvent(event.jobId(), EventLevel.INFO, "Job created; training files were validated at upload",
                Map.of("status", JobStatus.VALIDATING_FILES.wireName(), "method", event.method().wireName()), event.at()));
    }

    @EventListener
    void changed(JobStatusChanged event) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", event.to().wireName());
        data.put("previous_status", event.from().wireName());
        data.putAll(event.details());
        events.save(new JobEvent(event.jobId(), event.to() == JobStatus.FAILED ? EventLevel.ERROR : EventLevel.INFO,
                event.reason() != null ? event.reason() : message(event.from(), event.to()), data, event.at()));
    }

    /** The line for a change that came without a reason. */
    static String message(JobStatus from, JobStatus to) {
        return switch (to) {
            case VALIDATING_FILES -> "Validating the training files";
            case QUEUED -> from == JobStatus.RUNNING ? "Job queued again: its worker gave it back" : "Job queued";
            case RUNNING -> "Job running";
            case CANCELLING -> "Cancellation requested; the worker stops after the step in progress";
            case SUCCEEDED -> "Fine-tuning succeeded";
            case FAILED -> "Job failed";
            case CANCELLED -> "Job cancelled";
        };
    }
}
