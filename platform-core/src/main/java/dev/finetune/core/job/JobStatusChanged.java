package dev.finetune.core.job;

import java.time.Instant;
import java.util.Map;

import dev.finetune.core.tenant.TenantId;

/**
 * A job moved from one status to another, through {@link FineTuningJob#transitionTo} or one of
 * the job queue's statements, published in the transaction that made the change.
 *
 * @param reason why, in words a person can act on (a failure's message, where a cancel stopped);
 *        null when the statuses say it all
 * @param details facts about the change for the job's event log (an error code, a step)
 */
public record JobStatusChanged(JobId jobId, TenantId tenantId, JobStatus from, JobStatus to, Instant at,
        String reason, Map<String, Object> details) {

    public JobStatusChanged {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public JobStatusChanged(JobId jobId, TenantId tenantId, JobStatus from, JobStatus to, Instant at) {
        this(jobId, tenantId, from, to, at, null, Map.of());
    }
}
