package dev.finetune.core.tenant;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.repository.Repository;

/** Segments, always looked up within one tenant. */
public interface SegmentRepository extends Repository<Segment, UUID> {

    Segment save(Segment segment);

    Optional<Segment> findByTenantIdAndName(UUID tenantId, String name);

    Optional<Segment> findByTenantIdAndId(UUID tenantId, UUID id);

    List<Segment> findByTenantIdOrderByName(UUID tenantId);

    default Optional<Segment> find(TenantId tenant, SegmentName name) {
        return findByTenantIdAndName(tenant.value(), name.value());
    }

    default Optional<Segment> find(TenantId tenant, SegmentId id) {
        return findByTenantIdAndId(tenant.value(), id.value());
    }

    default List<Segment> list(TenantId tenant) {
        return findByTenantIdOrderByName(tenant.value());
    }
}
