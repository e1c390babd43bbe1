package dev.finetune.core.job;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

/**
 * Jobs as the API and the worker see them. Client-facing reads take a tenant; the worker, which
 * got the id from the queue, may use {@link #findById(UUID)}.
 */
public interface FineTuningJobRepository extends Repository<FineTuningJob, UUID> {

    FineTuningJob save(FineTuningJob job);

    FineTuningJob saveAndFlush(FineTuningJob job);

    Optional<FineTuningJob> findById(UUID id);

    Optional<FineTuningJob> findByTenantIdAndId(UUID tenantId, UUID id);

    Optional<FineTuningJob> findByTenantIdAndIdempotencyKey(UUID tenantId, String idempotencyKey);

    List<FineTuningJob> findByTenantIdOrderByCreatedAtDesc(UUID tenantId, Limit limit);

    List<FineTuningJob> findByTenantIdAndSegmentIdOrderByCreatedAtDesc(UUID tenantId, UUID segmentId, Limit limit);

    long countByStatus(JobStatus status);

    default Optional<FineTuningJob> find(JobId id) {
        return findById(id.value());
    }

    default Optional<FineTuningJob> find(TenantId tenant, JobId id) {
        return findByTenantIdAndId(tenant.value(), id.value());
    }

    default Optional<FineTuningJob> findByIdempotencyKey(TenantId tenant, String key) {
        return findByTenantIdAndIdempotencyKey(tenant.value(), key);
    }

    default List<FineTuningJob> listNewestFirst(TenantId tenant, int limit) {
        return findByTenantIdOrderByCreatedAtDesc(tenant.value(), Limit.of(limit));
    }
}
