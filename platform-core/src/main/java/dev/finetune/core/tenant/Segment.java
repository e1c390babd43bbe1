package dev.finetune.core.tenant;

import java.time.Instant;
import java.util.UUID;

import dev.finetune.core.common.AssignedIdEntity;
import dev.finetune.core.common.Checks;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A named subdivision of a tenant. Create it with {@link Tenant#newSegment(SegmentName)}. */
@Entity
@Table(name = "segments")
public class Segment extends AssignedIdEntity {

    @Column(name = "tenant_id", nullable = false, updatable = false)
    private UUID tenantId;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Segment() {
    }

    Segment(SegmentId id, TenantId tenantId, SegmentName name, Instant createdAt) {
        super(Checks.notNull(id, "segment_id").value());
        this.tenantId = Checks.notNull(tenantId, "tenant_id").value();
        this.name = Checks.notNull(name, "segment").value();
        this.createdAt = Checks.notNull(createdAt, "created_at");
    }

    public SegmentId id() {
        return new SegmentId(getId());
    }

    public TenantId tenantId() {
        return new TenantId(tenantId);
    }

    public SegmentName name() {
        return new SegmentName(name);
    }

    public Instant createdAt() {
        return createdAt;
    }
}
