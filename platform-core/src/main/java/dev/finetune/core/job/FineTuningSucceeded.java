package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import java.time.Instant;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * A fine-tuning job succeeded: its adapter is in object storage and the job row says so. The one
 * completion contract between the worker (which fills it with the lineage it already holds) and
 * the model registry (which turns it into a version). It lives in the shared kernel so the registry
 * consumes it without depending on the worker.
 *
 * <p>It travels through {@link CompletionOutbox}: written in the transaction that marks the job
 * succeeded, delivered at least once, so a consumer treats {@link #jobId} as its idempotency key.
 *
 * @param jobId the job, and the idempotency key
 * @param tenantId owner of the job and the adapter
 * @param segment the segment the job was submitted for (the registry repository it lands in)
 * @param baseModelId the base model the adapter was trained on
 * @param baseModelSha256 the base model's fingerprint as the worker loaded it: sha256 over its
 *        architecture and norm weights ({@code BaseModelRef.fingerprint}), the same value the
 *        adapter's safetensors metadata carries as {@code finetune.base_model_fingerprint}
 * @param datasetSha256 sha256 of the training file, checked by the worker against the upload's
 * @param evalSetSha256 identifies the examples the eval losses were measured on: the worker holds
 *        out a seeded share of the training file, so this is {@link #heldOutEvalSet}; null when
 *        there was no evaluation. The registry's promotion gate compares losses on equal eval sets only.
 * @param method lora, qlora or adapter
 * @param hyperparameters what the job was trained with
 * @param metrics what training achieved
 * @param artifact where the adapter lies and the sha256 of its weights
 * @param createdBy who produced it ({@code worker:<id>})
 * @param occurredAt when the job became succeeded
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
        Metrics metrics,
        Artifact artifact,
        String createdBy,
        Instant occurredAt) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public FineTuningSucceeded {
        Checks.notNull(jobId, "job_id");
        Checks.notNull(tenantId, "tenant_id");
        Checks.notNull(segment, "segment");
        Checks.notNull(baseModelId, "base_model_id");
        Checks.matches(baseModelSha256, SHA256, "base_model_sha256");
        Checks.matches(datasetSha256, SHA256, "dataset_sha256");
        if (evalSetSha256 != null) {
            Checks.matches(evalSetSha256, SHA256, "eval_set_sha256");
        }
        Checks.notNull(method, "method");
        Checks.notNull(hyperparameters, "hyperparameters");
        Checks.notNull(metrics, "metrics");
        Checks.notNull(artifact, "artifact");
        Checks.maxLength(Checks.notBlank(createdBy, "created_by"), 200, "created_by");
        Checks.notNull(occurredAt, "occurred_at");
    }

    /**
     * The identity of an eval set held out of the training file: the same file, share and seed
     * select the same examples, and any change of one of them gives another identity.
     */
    public static String heldOutEvalSet(String trainingSha256, double evalFraction, long seed) {
        Checks.matches(trainingSha256, SHA256, "dataset_sha256");
        return DigestUtils.sha256Hex(trainingSha256 + ":holdout:" + evalFraction + ":" + seed);
    }

    /**
     * What training achieved; a loss is null when the run never produced one (or it was not finite).
     *
     * @param steps optimizer steps taken
     * @param trainedTokens real (non-padding) tokens trained on
     * @param firstTrainLoss training loss of the first step
     * @param finalTrainLoss training loss of the last step
     * @param initialEvalLoss eval loss of the untouched base model, before the first step
     * @param finalEvalLoss eval loss after training
     * @param minEvalLoss lowest eval loss seen during training
     * @param perplexity exp(finalEvalLoss)
     */
    public record Metrics(int steps, long trainedTokens, Double firstTrainLoss, Double finalTrainLoss,
            Double initialEvalLoss, Double finalEvalLoss, Double minEvalLoss, Double perplexity) {

        public Metrics {
            Checks.notNegative(steps, "steps");
            Checks.notNegative(trainedTokens, "trained_tokens");
            finiteOrNull(firstTrainLoss, "first_train_loss");
            finiteOrNull(finalTrainLoss, "final_train_loss");
            finiteOrNull(initialEvalLoss, "initial_eval_loss");
            finiteOrNull(finalEvalLoss, "final_eval_loss");
            finiteOrNull(minEvalLoss, "min_eval_loss");
            finiteOrNull(perplexity, "perplexity");
        }
    }

    /**
     * The adapter in object storage.
     *
     * @param prefix object key prefix of its files, ending in '/'
     * @param weightsSha256 sha256 of the weights file, computed from the local file before upload
     * @param sizeBytes total size of the files under the prefix
     */
    public record Artifact(String prefix, String weightsSha256, long sizeBytes) {

        public Artifact {
            Checks.maxLength(Checks.notBlank(prefix, "artifact_prefix"), 1024, "artifact_prefix");
            if (!prefix.endsWith("/") || prefix.contains("..") || prefix.startsWith("/")) {
                throw new IllegalArgumentException("artifact_prefix must end with '/' and not contain '..' but was '"
                        + prefix + "'");
            }
            Checks.matches(weightsSha256, SHA256, "artifact_sha256");
            Checks.notNegative(sizeBytes, "artifact_size_bytes");
        }
    }

    private static void finiteOrNull(Double value, String field) {
        if (value != null && !Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number or null but was " + value);
        }
    }

}
