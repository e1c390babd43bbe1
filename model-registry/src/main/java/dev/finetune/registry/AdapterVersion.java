package dev.finetune.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.settings.FineTuningMethod;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One immutable version of a segment's adapter and its full lineage. Only {@code tags} and the
 * archive mark change after registration; {@code aliases} lists the aliases pointing at it now.
 *
 * @param sourceJobId the job that produced it
 * @param baseModelName the base model's name (with its id and weights fingerprint beside it)
 * @param datasetId the training file's id (null for versions registered before it was recorded)
 * @param datasetName the training file's name as uploaded (likewise)
 * @param evalSet what {@code evalLoss} was measured on, beyond its identity {@code evalSetSha256} (likewise;
 *        null also when there was no evaluation)
 * @param fromCheckpoint the checkpoint training started from; null when it started from the base model
 * @param taskMetrics scores of answers generated for the eval prompts by the base model and the adapter
 *        (their per-prompt answers are the version's {@code task_eval.jsonl}); null without a task evaluation
 * @param archivedAt set while archived: hidden from lists, still resolvable
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AdapterVersion(
        String segment,
        int number,
        UUID sourceJobId,
        UUID baseModelId,
        String baseModelName,
        String baseModelSha256,
        UUID datasetId,
        String datasetName,
        String datasetSha256,
        String evalSetSha256,
        EvalSetLineage evalSet,
        CheckpointLineage fromCheckpoint,
        FineTuningMethod method,
        Hyperparameters hyperparameters,
        Double evalLoss,
        Double perplexity,
        Double initialEvalLoss,
        TrainingCurve curve,
        FineTuningSucceeded.TaskMetrics taskMetrics,
        AdapterArtifact artifact,
        String createdBy,
        Instant createdAt,
        Instant archivedAt,
        Map<String, String> tags,
        List<String> aliases) {

    public AdapterVersion {
        tags = Map.copyOf(tags);
        aliases = List.copyOf(aliases);
    }

    public boolean archived() {
        return archivedAt != null;
    }

    /** {@code segment/number}, the reference that always names this version. */
    public String ref() {
        return segment + "/" + number;
    }
}
