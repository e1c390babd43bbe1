package dev.finetune.core.model;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.common.AssignedIdEntity;
import dev.finetune.core.common.Checks;
import dev.finetune.core.json.JsonMapConverter;
import dev.finetune.core.tenant.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A model that can be fine-tuned: global when it has no tenant. */
@Entity
@Table(name = "base_models")
public class BaseModel extends AssignedIdEntity {

    @Column(name = "tenant_id", updatable = false)
    private UUID tenantId;

    @Column(nullable = false, updatable = false)
    private String name;

    @Column(name = "object_prefix", nullable = false, length = 1024)
    private String objectPrefix;

    @Convert(converter = JsonMapConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "config_summary", nullable = false, columnDefinition = "jsonb")
    private Map<String, Object> configSummary;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected BaseModel() {
    }

    private BaseModel(TenantId tenant, String name, String objectPrefix, Map<String, Object> configSummary) {
        super(BaseModelId.random().value());
        this.tenantId = tenant == null ? null : tenant.value();
        this.name = Checks.maxLength(Checks.notBlank(name, "name"), 255, "name");
        this.objectPrefix = Checks.notBlank(objectPrefix, "object_prefix");
        this.configSummary = Map.copyOf(Checks.notNull(configSummary, "config_summary"));
        this.createdAt = Instant.now();
    }

    public static BaseModel global(String name, String objectPrefix, Map<String, Object> configSummary) {
        return new BaseModel(null, name, objectPrefix, configSummary);
    }

    public static BaseModel ofTenant(TenantId tenant, String name, String objectPrefix,
            Map<String, Object> configSummary) {
        return new BaseModel(Checks.notNull(tenant, "tenant_id"), name, objectPrefix, configSummary);
    }

    public boolean isGlobal() {
        return tenantId == null;
    }

    public BaseModelId id() {
        return new BaseModelId(getId());
    }

    public Optional<TenantId> tenantId() {
        return Optional.ofNullable(tenantId).map(TenantId::new);
    }

    public String name() {
        return name;
    }

    public String objectPrefix() {
        return objectPrefix;
    }

    public Map<String, Object> configSummary() {
        return configSummary;
    }

    public Instant createdAt() {
        return createdAt;
    }
}
