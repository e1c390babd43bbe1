package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.common.AssignedIdEntity;
import dev.finetune.core.common.Checks;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.hyperparameters.HyperparametersConverter;
import dev.finetune.core.json.JsonMapConverter;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.springframework.data.domain.AfterDomainEventPublication;
import org.springframework.data.domain.DomainEvents;

/**
 * A fine-tuning job. Status changes go through {@link #transitionTo}; the lease columns
 * ({@code lease_owner}, {@code lease_expires_at}, {@code heartbeat_at}, {@code attempt}) are
 * written only by {@link dev.finetune.core.queue.JobQueue} and are read-only to JPA, so saving an
 * entity never undoes a heartbeat.
 */
@Entity
@Table(name = "fine_tuning_jobs")
public class FineTuningJob extends AssignedIdEntity {

    @Version
    private Long version;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    private UUID tenantId;
    @Column(name = "segment_id", nullable = false, updatable = false)
    private UUID segmentId;
    @Column(name = "base_model_id", nullable = false, updatable = false)
    private UUID baseModelId;
    @Column(name = "training_dataset_id", nullable = false, updatable = false)
    private UUID trainingDatasetId;
    @Column(name = "validation_dataset_id", updatable = false)
    private UUID validationDatasetId;

    @Convert(converter = FineTuningMethodConverter.class)
    @Column(nullable = false, updatable = false)
    private FineTuningMethod method;

    @Convert(converter = HyperparametersConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, updatable = false, columnDefinition = "jsonb")
    private Hyperparameters hyperparameters;

    @Convert(converter = JobStatus.JpaConverter.class)
    @Column(nullable = false)
    private JobStatus status;

    private String suffix;

    @Convert(converter = JsonMapConverter.class)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    private Map<String, Object> metadata;

    @Column(nullable = false, updatable = false)
    private long seed;
    @Column(name = "trained_tokens")
    private Long trainedTokens;
    @Column(name = "estimated_finish")
    private Instant estimatedFinish;

    @Embedded
    private JobError error;

    @Column(name = "idempotency_key", updatable = false)
    private String idempotencyKey;

    @Column(name = "lease_owner", insertable = false, updatable = false)
    private String leaseOwner;
    @Column(name = "lease_expires_at", insertable = false, updatable = false)
    private Instant leaseExpiresAt;
    @Column(name = "heartbeat_at", insertable = false, updatable = false)
    private Instant heartbeatAt;
    @Column(name = "attempt", insertable = false, updatable = false)
    private int attempt;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;
    @Column(name = "started_at")
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "result_object_keys", nullable = false, columnDefinition = "text[]")
    private String[] resultObjectKeys;

    /** Written by the completion outbox's consumer (see {@link CompletionOutbox#complete}), read-only here. */
    @Column(name = "fine_tuned_model", insertable = false, updatable = false)
    private String fineTunedModel;

    @Column(name = "from_checkpoint_job_id", updatable = false)
    private UUID fromCheckpointJobId;
    @Column(name = "from_checkpoint_step", updatable = false)
    private Integer fromCheckpointStep;

    @Transient
    private final List<Object> events = new ArrayList<>();

    protected FineTuningJob() {
    }

    private FineTuningJob(JobId id, NewJob job, Instant now) {
        super(id.value());
        this.tenantId = job.tenant().value();
        this.segmentId = job.segment().value();
        this.baseModelId = job.baseModel().value();
        this.trainingDatasetId = job.trainingDataset().value();
        this.validationDatasetId = job.validationDataset() == null ? null : job.validationDataset().value();
        this.method = job.method();
        this.hyperparameters = job.hyperparameters();
        this.status = JobStatus.VALIDATING_FILES;
        this.suffix = job.suffix();
        this.metadata = job.metadata();
        this.seed = job.seed();
        this.idempotencyKey = job.idempotencyKey();
        if (job.fromCheckpoint() != null) {
            this.fromCheckpointJobId = job.fromCheckpoint().job().value();
            this.fromCheckpointStep = job.fromCheckpoint().step();
        }
        this.createdAt = now;
        this.resultObjectKeys = new String[0];
        events.add(new JobSubmitted(id, job.tenant(), job.method(), now));
    }

    /** A new job in status validating_files. */
    public static FineTuningJob submit(NewJob job, Instant now) {
        Checks.notNull(job, "job");
        return new FineTuningJob(JobId.random(), job, Checks.notNull(now, "now"));
    }

    /** Moves to {@code next} or throws {@link IllegalJobTransitionException}; stamps start and finish times. */
    public void transitionTo(JobStatus next, Instant now) {
        transitionTo(next, now, null, Map.of());
    }

    /**
     * {@link #transitionTo(JobStatus, Instant)}, with the reason and details the job's event log
     * shows for this change (see {@link JobStatusChanged}).
     */
    public void transitionTo(JobStatus next, Instant now, String reason, Map<String, Object> details) {
        if (!status.canTransitionTo(next)) {
            throw new IllegalJobTransitionException(id(), status, next);
        }
        JobStatus previous = status;
        status = next;
        if (next == JobStatus.RUNNING && startedAt == null) {
            startedAt = now;
        }
        if (next.isTerminal()) {
            finishedAt = now;
            estimatedFinish = null;
        }
        events.add(new JobStatusChanged(id(), tenantId(), previous, next, now, reason, details));
    }

    /** Cancel as a client means it: at once if nothing runs yet, else ask the worker (cancelling). */
    public void requestCancel(Instant now) {
        transitionTo(status == JobStatus.RUNNING ? JobStatus.CANCELLING : JobStatus.CANCELLED, now);
    }

    /**
     * A cancel by the platform's operator rather than the tenant: the same transition, with a status
     * line that says who asked and why, so the tenant sees it in the job's events (the audit trail).
     */
    public void cancelByOperator(Instant now, String operatorKeyPrefix, String reason) {
        Checks.notBlank(reason, "reason");
        transitionTo(status == JobStatus.RUNNING ? JobStatus.CANCELLING : JobStatus.CANCELLED, now,
                "Cancelled by the platform operator: " + reason,
                Map.of("requested_by", "operator", "operator_key", operatorKeyPrefix, "reason", reason));
    }

    public void fail(JobError why, Instant now) {
        Checks.notNull(why, "error");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("code", why.code());
        if (why.param() != null) {
            details.put("param", why.param());
        }
        transitionTo(JobStatus.FAILED, now, why.message(), details);
        this.error = why;
    }

    public void succeed(long tokens, Collection<String> resultKeys, Instant now) {
        transitionTo(JobStatus.SUCCEEDED, now, null, Map.of("trained_tokens", tokens));
        this.trainedTokens = Checks.notNegative(tokens, "trained_tokens");
        this.resultObjectKeys = resultKeys.toArray(String[]::new);
    }

    @DomainEvents
    Collection<Object> domainEvents() {
        return List.copyOf(events);
    }

    @AfterDomainEventPublication
    void clearDomainEvents() {
        events.clear();
    }

    public JobId id() { return new JobId(getId()); }
    public Long version() { return version; }
    public TenantId tenantId() { return new TenantId(tenantId); }
    public SegmentId segmentId() { return new SegmentId(segmentId); }
    public BaseModelId baseModelId() { return new BaseModelId(baseModelId); }
    public DatasetId trainingDatasetId() { return new DatasetId(trainingDatasetId); }
    public Optional<DatasetId> validationDatasetId() { return Optional.ofNullable(validationDatasetId).map(DatasetId::new); }
    public FineTuningMethod method() { return method; }
    public Hyperparameters hyperparameters() { return hyperparameters; }
    public JobStatus status() { return status; }
    public Optional<String> suffix() { return Optional.ofNullable(suffix); }
    public Map<String, Object> metadata() { return metadata; }
    public long seed() { return seed; }
    public Optional<Long> trainedTokens() { return Optional.ofNullable(trainedTokens); }
    public Optional<Instant> estimatedFinish() { return Optional.ofNullable(estimatedFinish); }
    public Optional<JobError> error() { return Optional.ofNullable(error); }
    public Optional<String> idempotencyKey() { return Optional.ofNullable(idempotencyKey); }
    public Optional<String> leaseOwner() { return Optional.ofNullable(leaseOwner); }
    public Optional<Instant> leaseExpiresAt() { return Optional.ofNullable(leaseExpiresAt); }
    public Optional<Instant> heartbeatAt() { return Optional.ofNullable(heartbeatAt); }
    public int attempt() { return attempt; }
    public Instant createdAt() { return createdAt; }
    public Optional<Instant> startedAt() { return Optional.ofNullable(startedAt); }
    public Optional<Instant> finishedAt() { return Optional.ofNullable(finishedAt); }
    public List<String> resultObjectKeys() { return List.of(resultObjectKeys); }
    /**
     * The registry reference ({@code segment/N}) of the version this job produced; empty until the
     * registry has registered it, which happens shortly after the job succeeded.
     */
    public Optional<String> fineTunedModel() { return Optional.ofNullable(fineTunedModel); }
    /** The checkpoint of an earlier job this one starts from instead of the bare base model. */
    public Optional<CheckpointRef> fromCheckpoint() {
        return fromCheckpointJobId == null ? Optional.empty()
                : Optional.of(new CheckpointRef(new JobId(fromCheckpointJobId), fromCheckpointStep));
    }

    @Override
    public String toString() {
        return "FineTuningJob[" + getId() + ", tenant=" + tenantId + ", status=" + status.wireName() + "]";
    }
}
