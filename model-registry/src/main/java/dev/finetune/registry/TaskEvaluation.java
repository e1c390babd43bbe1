package dev.finetune.registry;

import java.time.Instant;
import java.util.UUID;

import dev.finetune.core.job.FineTuningSucceeded;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * An on-demand task evaluation of a registry version: its adapter and its base model answer the
 * prompts of one of the tenant's datasets (greedy, at most {@code maxNewTokens} tokens), on a worker.
 *
 * @param status {@code queued}, {@code running}, {@code succeeded} or {@code failed}
 * @param result the mean scores of both models; null until it succeeded
 * @param examplesFile object key of the per-prompt answers (JSONL); null until it succeeded
 * @param error why it failed; null otherwise
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TaskEvaluation(UUID id, String segment, int version, UUID datasetId, int maxExamples, int maxNewTokens,
        String extractor, String status, FineTuningSucceeded.TaskMetrics result, String examplesFile, String error,
        String createdBy, Instant createdAt, Instant finishedAt) {
}
