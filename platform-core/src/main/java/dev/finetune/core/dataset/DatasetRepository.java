package dev.finetune.core.dataset;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;

/** Datasets; every read is scoped to one tenant. */
public interface DatasetRepository extends Repository<Dataset, UUID> {

    Dataset save(Dataset dataset);

    Optional<Dataset> findByTenantIdAndId(UUID tenantId, UUID id);

    List<Dataset> findByTenantIdOrderByCreatedAtDesc(UUID tenantId, Limit limit);

    long deleteByTenantIdAndId(UUID tenantId, UUID id);

    default Optional<Dataset> find(TenantId tenant, DatasetId id) {
        return findByTenantIdAndId(tenant.value(), id.value());
    }

    default List<Dataset> listNewestFirst(TenantId tenant, int limit) {
        return findByTenantIdOrderByCreatedAtDesc(tenant.value(), Limit.of(limit));
    }
}
