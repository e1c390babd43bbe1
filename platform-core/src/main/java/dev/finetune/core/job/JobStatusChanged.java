package dev.finetune.core.job;

import java.time.Instant;

import dev.finetune.core.tenant.TenantId;

/** A job moved from one status to another through {@link FineTuningJob#transitionTo}. */
public record JobStatusChanged(JobId jobId, TenantId tenantId, JobStatus from, JobStatus to, Instant at) {
}
