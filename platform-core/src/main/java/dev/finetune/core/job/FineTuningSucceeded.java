package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
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
 * @param evalSetSha256 identifies what the eval losses were measured on: {@link EvalSet#sha256()} of
 *        {@code lineage.evalSet()}; null when there was no evaluation. The registry's promotion gate
 *        compares losses on equal eval sets only.
 * @param method lora, qlora or adapter
 * @param hyperparameters what the job was trained with
 * @param metrics what training achieved
 * @param artifact where the adapter lies and the sha256 of its weights
 * @param createdBy who produced it ({@code worker:<id>})
 * @param occurredAt when the job became succeeded
 * @param lineage what the numbers were measured on and where training started (the training file's id
 *        and name, the eval set, the parent checkpoint); null in entries written before it existed
 * @param taskMetrics scores of answers generated for the eval prompts by the base model and the adapter;
 *        null when the worker ran no task evaluation
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
        Instant occurredAt,
        Lineage lineage,
        TaskMetrics taskMetrics) {

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
        if (lineage != null && lineage.evalSet() != null && !lineage.evalSet().sha256().equals(evalSetSha256)) {
            throw new IllegalArgumentException("eval_set_sha256 must be the eval set's identity "
                    + lineage.evalSet().sha256() + " but was " + evalSetSha256);
        }
    }

    /** The event as written before {@link Lineage} existed (no lineage). */
    public FineTuningSucceeded(JobId jobId, TenantId tenantId, SegmentName segment, BaseModelId baseModelId,
            String baseModelSha256, String datasetSha256, String evalSetSha256, FineTuningMethod method,
            Hyperparameters hyperparameters, Metrics metrics, Artifact artifact, String createdBy, Instant occurredAt) {
        this(jobId, tenantId, segment, baseModelId, baseModelSha256, datasetSha256, evalSetSha256, method,
                hyperparameters, metrics, artifact, createdBy, occurredAt, null, null);
    }

    /**
     * Task metrics from generation: the eval set's prompts answered greedily (at most {@code maxNewTokens}
     * tokens) by the base model and by the adapter, each answer scored against the reference answer.
     *
     * @param examples prompts answered
     * @param extractor the answer extractor (a regular expression) when one was used
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TaskMetrics(int examples, String extractor, int maxNewTokens, TaskScores base, TaskScores adapter) {

        public TaskMetrics {
            Checks.notNegative(examples, "task_metrics.examples");
            Checks.notNull(base, "task_metrics.base");
            Checks.notNull(adapter, "task_metrics.adapter");
        }
    }

    /**
     * Mean scores in [0, 1] over the answers of one model.
     *
     * @param exactMatch equal to the reference after normalising case, spaces and final punctuation
     * @param contains the normalised reference occurs in the answer
     * @param extractedMatch the extractor's value equals the reference's; null without an extractor
     * @param rougeL ROUGE-L F1 over words
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TaskScores(double exactMatch, double contains, Double extractedMatch, double rougeL) {
    }

    /**
     * Where a version's numbers come from, beyond hashes.
     *
     * @param trainingFileId the training dataset's id
     * @param trainingFileName its name as uploaded
     * @param evalSet what the eval losses were measured on; null without evaluation
     * @param fromCheckpoint the checkpoint (job and step) training started from; null from the bare base model
     */
    public record Lineage(UUID trainingFileId, String trainingFileName, EvalSet evalSet, CheckpointRef fromCheckpoint) {

        public Lineage {
            Checks.notNull(trainingFileId, "training_file_id");
            Checks.maxLength(Checks.notBlank(trainingFileName, "training_file_name"), 255, "training_file_name");
        }
    }

    /**
     * The eval set a loss was measured on, as far as it decides the number: two versions whose eval
     * sets have the same {@link #sha256()} were evaluated on the same tokens with the same loss mask,
     * whatever their seeds.
     *
     * @param source {@link #VALIDATION_FILE} (every record of the job's validation file) or {@link #HELD_OUT}
     *        (a share of the training file chosen by its sha256 and the share, the same for every job on it)
     * @param datasetId the dataset the examples come from: the validation file, or the training file
     * @param datasetName its name as uploaded
     * @param datasetSha256 its sha256
     * @param fraction the held-out share; null for a validation file
     * @param tokenizerSha256 sha256 of the base model's tokenizer files (vocabulary and chat template)
     * @param maxSeqLength the sequence length examples were cut to
     * @param trainOnInputs whether prompt tokens count in the loss
     * @param examples encoded examples evaluated
     */
    public record EvalSet(String source, UUID datasetId, String datasetName, String datasetSha256, Double fraction,
            String tokenizerSha256, int maxSeqLength, boolean trainOnInputs, int examples) {

        public static final String VALIDATION_FILE = "validation_file";
        public static final String HELD_OUT = "held_out";

        public EvalSet {
            if (!VALIDATION_FILE.equals(source) && !HELD_OUT.equals(source)) {
                throw new IllegalArgumentException("eval_set.source must be validation_file or held_out but was " + source);
            }
            Checks.notNull(datasetId, "eval_set.dataset_id");
            Checks.maxLength(Checks.notBlank(datasetName, "eval_set.dataset_name"), 255, "eval_set.dataset_name");
            Checks.matches(datasetSha256, SHA256, "eval_set.dataset_sha256");
            if (HELD_OUT.equals(source) ? fraction == null || !(fraction > 0 && fraction < 1) : fraction != null) {
                throw new IllegalArgumentException("eval_set.fraction must be in (0, 1) for a held-out set and null "
                        + "for a validation file but was " + fraction);
            }
            Checks.matches(tokenizerSha256, SHA256, "eval_set.tokenizer_sha256");
            Checks.notNegative(maxSeqLength, "eval_set.max_seq_length");
            Checks.notNegative(examples, "eval_set.examples");
        }

        /**
         * The identity the registry compares: the source, the file's sha256, the share, the tokenizer,
         * the sequence length and the loss mask; not the dataset's id or name (the same bytes uploaded
         * twice are the same eval set) and not the seed (the split does not depend on it).
         */
        public String sha256() {
            return DigestUtils.sha256Hex("eval-set/v2|" + source + "|" + datasetSha256 + "|"
                    + (fraction == null ? "-" : fraction.toString()) + "|" + tokenizerSha256 + "|" + maxSeqLength
                    + "|" + trainOnInputs);
        }
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
