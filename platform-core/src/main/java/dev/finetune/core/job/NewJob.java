package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import java.util.Map;

import dev.finetune.core.common.Checks;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;

/**
 * What a client asks for when it submits a job; validated on construction.
 *
 * @param fromCheckpoint a checkpoint of an earlier job of the same tenant to start from, or null
 */
public record NewJob(
        TenantId tenant,
        SegmentId segment,
        BaseModelId baseModel,
        DatasetId trainingDataset,
        DatasetId validationDataset,
        FineTuningMethod method,
        Hyperparameters hyperparameters,
        String suffix,
        Map<String, Object> metadata,
        long seed,
        String idempotencyKey,
        CheckpointRef fromCheckpoint) {

    private static final java.util.regex.Pattern SUFFIX = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** A job that starts from the bare base model. */
    public NewJob(TenantId tenant, SegmentId segment, BaseModelId baseModel, DatasetId trainingDataset,
            DatasetId validationDataset, FineTuningMethod method, Hyperparameters hyperparameters, String suffix,
            Map<String, Object> metadata, long seed, String idempotencyKey) {
        this(tenant, segment, baseModel, trainingDataset, validationDataset, method, hyperparameters, suffix,
                metadata, seed, idempotencyKey, null);
    }

    public NewJob {
        Checks.notNull(tenant, "tenant_id");
        Checks.notNull(segment, "segment");
        Checks.notNull(baseModel, "model");
        Checks.notNull(trainingDataset, "training_file");
        Checks.notNull(method, "method");
        Checks.notNull(hyperparameters, "hyperparameters");
        hyperparameters.checkFitsMethod(method);
        if (suffix != null) {
            Checks.matches(suffix, SUFFIX, "suffix");
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        if (metadata.size() > 16) {
            throw new IllegalArgumentException("metadata must have at most 16 keys");
        }
        Checks.maxLength(idempotencyKey, 255, "idempotency_key");
        if (trainingDataset.equals(validationDataset)) {
            throw new IllegalArgumentException("validation_file must differ from training_file");
        }
    }
}
