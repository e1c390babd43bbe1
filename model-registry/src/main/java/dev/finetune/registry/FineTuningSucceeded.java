package dev.finetune.registry;

import java.time.Instant;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningMethod;
import dev.finetune.core.job.JobId;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A fine-tuning job succeeded and its adapter is in object storage. The worker publishes it as a
 * Spring application event (or passes it to {@link AdapterRegistry#register}); the registry turns
 * it into the next version of the segment's adapter repository, once per job however often it is
 * delivered.
 *
 * @param baseModelSha256 sha256 of the base model's weights as trained against; null if unknown
 * @param datasetSha256 sha256 of the training dataset file
 * @param evalSetSha256 identifies the examples {@code evalLoss} was measured on: the validation
 *        dataset's sha256, or for a split held out of the training data a sha256 the worker derives
 *        from the training sha256, eval fraction and seed; null when there was no evaluation. The
 *        promotion gate only compares eval losses measured on the same eval set.
 * @param evalLoss final eval loss (null when the job had no eval set)
 * @param perplexity exp(evalLoss), null with it
 * @param initialEvalLoss eval loss of the untouched base model, before the first step
 * @param createdBy who asked for the job: the API key prefix, or "worker"
 */
public record FineTuningSucceeded(
        JobId jobId,
        TenantId tenantId,
        SegmentName segment,
        BaseModelId baseModelId,
        String baseModelSha256,
        String datasetSha256,
        String evalSetSha256,
        FineTuningMethod method,
        Hyperparameters hyperparameters,
        Double evalLoss,
        Double perplexity,
        Double initialEvalLoss,
        TrainingCurve curve,
        AdapterArtifact artifact,
        String createdBy,
        Instant occurredAt) {

    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public FineTuningSucceeded {
        Checks.notNull(jobId, "job_id");
        Checks.notNull(tenantId, "tenant_id");
        Checks.notNull(segment, "segment");
        Checks.notNull(baseModelId, "base_model_id");
        if (baseModelSha256 != null) {
            Checks.matches(baseModelSha256, SHA256, "base_model_sha256");
        }
        Checks.matches(datasetSha256, SHA256, "dataset_sha256");
        if (evalSetSha256 != null) {
            Checks.matches(evalSetSha256, SHA256, "eval_set_sha256");
        }
        Checks.notNull(method, "method");
        Checks.notNull(hyperparameters, "hyperparameters");
        finiteOrNull(evalLoss, "eval_loss");
        finiteOrNull(perplexity, "perplexity");
        finiteOrNull(initialEvalLoss, "initial_eval_loss");
        Checks.notNull(curve, "curve");
        Checks.notNull(artifact, "artifact");
        Checks.maxLength(Checks.notBlank(createdBy, "created_by"), 200, "created_by");
        Checks.notNull(occurredAt, "occurred_at");
    }

    /** The training curve in four numbers; losses are null when the run never produced one. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TrainingCurve(int steps, Double firstTrainLoss, Double finalTrainLoss, Double minEvalLoss) {

        public TrainingCurve {
            Checks.notNegative(steps, "steps");
            finiteOrNull(firstTrainLoss, "first_train_loss");
            finiteOrNull(finalTrainLoss, "final_train_loss");
            finiteOrNull(minEvalLoss, "min_eval_loss");
        }
    }

    /**
     * Where the adapter lies: a prefix (ending in '/') inside the tenant's part of the bucket, the
     * PEFT or AdapterHub files under it, their sha256 (of the weights file, as the worker computes
     * it) and total size in bytes.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AdapterArtifact(String prefix, String sha256, long sizeBytes) {

        public AdapterArtifact {
            Checks.maxLength(Checks.notBlank(prefix, "artifact_prefix"), 1024, "artifact_prefix");
            if (!prefix.endsWith("/") || prefix.contains("..") || prefix.startsWith("/")) {
                throw new IllegalArgumentException("artifact_prefix must end with '/' and not contain '..' but was '" + prefix + "'");
            }
            Checks.matches(sha256, SHA256, "artifact_sha256");
            Checks.notNegative(sizeBytes, "artifact_size_bytes");
        }
    }

    private static void finiteOrNull(Double value, String field) {
        if (value != null && !Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number or null but was " + value);
        }
    }
}
