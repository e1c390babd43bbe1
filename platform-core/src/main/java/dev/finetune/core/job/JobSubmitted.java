package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import java.time.Instant;

import dev.finetune.core.tenant.TenantId;

/** A job was accepted and stored (status validating_files). */
public record JobSubmitted(JobId jobId, TenantId tenantId, FineTuningMethod method, Instant at) {
}
