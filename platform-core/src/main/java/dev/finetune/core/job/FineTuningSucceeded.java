package dev.finetune.core.job;

import java.time.Instant;
import java.util.List;

import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;

/**
 * A fine-tuning job finished training and its adapter is in object storage. Published by the
 * worker as a Spring application event inside the transaction that marks the job succeeded (a
 * plain {@code @EventListener} joins that transaction; a {@code @TransactionalEventListener} runs
 * after commit). It lives in the shared kernel so that the model registry can listen without
 * depending on the worker.
 *
 * <p><b>At least once:</b> a worker that dies after publishing but before its Spring Batch job
 * is recorded as complete publishes it again when the job is restarted, so listeners must treat
 * {@link #jobId} as an idempotency key (one registry version per job).
 *
 * @param jobId the job, and the idempotency key
 * @param tenantId owner of the job and the adapter
 * @param segmentId the customer segment the job was submitted for
 * @param baseModelId the base model the adapter was trained on
 * @param baseModelName that model's name, as written into {@code adapter_config.json}
 * @param method lora, qlora or adapter
 * @param adapterFormat {@code peft} (adapter_config.json + adapter_model.safetensors) or
 *     {@code adapterhub} (adapter_config.json + adapter.safetensors)
 * @param adapterPrefix object key prefix of the adapter files, ending in '/'
 * @param adapterKeys every object under the prefix (adapter files and training_summary.json)
 * @param suffix the client's suffix for the model name, or null
 * @param metrics what training achieved
 * @param finishedAt when the job became succeeded
 */
public record FineTuningSucceeded(JobId jobId, TenantId tenantId, SegmentId segmentId, BaseModelId baseModelId,
        String baseModelName, FineTuningMethod method, String adapterFormat, String adapterPrefix,
        List<String> adapterKeys, String suffix, Metrics metrics, Instant finishedAt) {

    public FineTuningSucceeded {
        adapterKeys = List.copyOf(adapterKeys);
    }

    /**
     * @param steps optimizer steps taken
     * @param trainedTokens real (non-padding) tokens trained on
     * @param finalTrainingLoss training loss of the last step
     * @param initialEvalLoss eval loss before training, null without an eval split
     * @param finalEvalLoss eval loss after training, null without an eval split
     * @param finalPerplexity exp(finalEvalLoss), null without an eval split
     */
    public record Metrics(int steps, long trainedTokens, Double finalTrainingLoss, Double initialEvalLoss,
            Double finalEvalLoss, Double finalPerplexity) {
    }
}
