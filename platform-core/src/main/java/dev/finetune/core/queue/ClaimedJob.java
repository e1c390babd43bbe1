package dev.finetune.core.queue;

import java.time.Instant;
import java.util.Optional;

import dev.finetune.core.job.JobId;
import dev.finetune.core.tenant.TenantId;

/**
 * A job a worker now holds. {@code attempt} is 1 on the first claim; {@code previousOwner} is
 * present when the job was taken over from a worker whose lease expired, and the new owner
 * should then resume from the latest checkpoint.
 */
public record ClaimedJob(JobId jobId, TenantId tenantId, WorkerId owner, int attempt, Instant leaseExpiresAt,
        Optional<String> previousOwner) {

    public boolean isTakeover() {
        return previousOwner.isPresent();
    }
}
