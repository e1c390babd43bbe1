package dev.finetune.core.tenant;

import java.time.Instant;
import java.util.regex.Pattern;

import dev.finetune.core.common.AssignedIdEntity;
import dev.finetune.core.common.Checks;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A customer of the platform; owns segments, keys, datasets, jobs and artifacts. */
@Entity
@Table(name = "tenants")
public class Tenant extends AssignedIdEntity {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");

    @Column(nullable = false, unique = true, length = 100)
    private String name;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Tenant() {
    }

    public Tenant(TenantId id, String name, Instant createdAt) {
        super(Checks.notNull(id, "tenant_id").value());
        this.name = Checks.matches(name, NAME, "name");
        this.createdAt = Checks.notNull(createdAt, "created_at");
    }

    public static Tenant create(String name) {
        return new Tenant(TenantId.random(), name, Instant.now());
    }

    /** A new segment of this tenant; persist it through {@link SegmentRepository}. */
    public Segment newSegment(SegmentName segmentName) {
        return new Segment(SegmentId.random(), id(), segmentName, Instant.now());
    }

    public TenantId id() {
        return new TenantId(getId());
    }

    public String name() {
        return name;
    }

    public Instant createdAt() {
        return createdAt;
    }
}
