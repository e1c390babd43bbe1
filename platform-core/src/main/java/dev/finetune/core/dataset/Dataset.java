package dev.finetune.core.dataset;

import dev.finetune.settings.DatasetFormat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

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

/** A file uploaded by a tenant for training or validation. */
@Entity
@Table(name = "datasets")
public class Dataset extends AssignedIdEntity {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    @Column(name = "tenant_id", nullable = false, updatable = false)
    private UUID tenantId;

    @Column(nullable = false)
    private String name;

    @Convert(converter = DatasetFormatConverter.class)
    @Column(nullable = false, updatable = false)
    private DatasetFormat format;

    @Column(name = "object_key", nullable = false, updatable = false, length = 1024)
    private String objectKey;

    @JdbcTypeCode(SqlTypes.CHAR)
    @Column(nullable = false, updatable = false, length = 64)
    private String sha256;

    @Column(name = "size_bytes", nullable = false, updatable = false)
    private long sizeBytes;

    @Column(name = "rows")
    private Long rows;

    @Column(name = "estimated_tokens")
    private Long estimatedTokens;

    @Convert(converter = ValidationStatus.JpaConverter.class)
    @Column(name = "validation_status", nullable = false)
    private ValidationStatus validationStatus;

    @Convert(converter = ValidationErrorsConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "validation_errors", nullable = false, columnDefinition = "jsonb")
    private List<ValidationError> validationErrors;

    /** Standard field name to the key the records use (see dataset-formats' FieldMapping); empty: standard keys. */
    @Convert(converter = JsonMapConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "field_mapping", nullable = false, updatable = false, columnDefinition = "jsonb")
    private Map<String, Object> fieldMapping;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Dataset() {
    }

    public Dataset(DatasetId id, TenantId tenant, String name, DatasetFormat format, String objectKey,
            String sha256, long sizeBytes, Instant createdAt) {
        this(id, tenant, name, format, objectKey, sha256, sizeBytes, Map.of(), createdAt);
    }

    /**
     * @param fieldMapping standard field name to the records' key, as validated by the reader; empty
     *     for the standard key names
     */
    public Dataset(DatasetId id, TenantId tenant, String name, DatasetFormat format, String objectKey,
            String sha256, long sizeBytes, Map<String, String> fieldMapping, Instant createdAt) {
        super(Checks.notNull(id, "dataset_id").value());
        this.fieldMapping = Map.copyOf(Checks.notNull(fieldMapping, "field_mapping"));
        this.tenantId = Checks.notNull(tenant, "tenant_id").value();
        this.name = Checks.maxLength(Checks.notBlank(name, "name"), 255, "name");
        this.format = Checks.notNull(format, "format");
        this.objectKey = Checks.notBlank(objectKey, "object_key");
        this.sha256 = Checks.matches(sha256, SHA256, "sha256");
        this.sizeBytes = Checks.notNegative(sizeBytes, "size_bytes");
        this.validationStatus = ValidationStatus.PENDING;
        this.validationErrors = List.of();
        this.createdAt = Checks.notNull(createdAt, "created_at");
    }

    /** The validator accepted the file. */
    public void markValid(long rowCount, long tokens) {
        requirePending();
        this.rows = Checks.notNegative(rowCount, "rows");
        this.estimatedTokens = Checks.notNegative(tokens, "estimated_tokens");
        this.validationStatus = ValidationStatus.VALID;
    }

    /** The validator rejected the file; at least one error says why. */
    public void markInvalid(List<ValidationError> errors) {
        requirePending();
        if (errors == null || errors.isEmpty()) {
            throw new IllegalArgumentException("validation_errors must not be empty for an invalid dataset");
        }
        this.validationErrors = List.copyOf(errors);
        this.validationStatus = ValidationStatus.INVALID;
    }

    private void requirePending() {
        if (validationStatus != ValidationStatus.PENDING) {
            throw new IllegalStateException("dataset " + getId() + " was already validated: " + validationStatus.wireName());
        }
    }

    public boolean isUsableForTraining() {
        return validationStatus == ValidationStatus.VALID;
    }

    public DatasetId id() {
        return new DatasetId(getId());
    }

    public TenantId tenantId() {
        return new TenantId(tenantId);
    }

    public String name() {
        return name;
    }

    public DatasetFormat format() {
        return format;
    }

    public String objectKey() {
        return objectKey;
    }

    public String sha256() {
        return sha256;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public Long rows() {
        return rows;
    }

    public Long estimatedTokens() {
        return estimatedTokens;
    }

    public ValidationStatus validationStatus() {
        return validationStatus;
    }

    public List<ValidationError> validationErrors() {
        return validationErrors;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Standard field name to the key the records use; empty for the standard names. */
    public Map<String, String> fieldMapping() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (fieldMapping != null) {
            fieldMapping.forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }
}
