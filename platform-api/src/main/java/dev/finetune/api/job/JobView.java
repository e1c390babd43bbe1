package dev.finetune.api.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.JobError;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A job as clients see it, shaped like the OpenAI / Together job objects (snake_case).
 * {@code fine_tuned_model} is the registry reference of the version the job produced
 * ({@code segment/N}, usable wherever the registry takes a ref); it is null until the registry has
 * registered the adapter, which happens just after the job succeeds (through the completion outbox).
 */
public record JobView(
        String id,
        @Schema(allowableValues = "fine_tuning.job") String object,
        @Schema(allowableValues = {"validating_files", "queued", "running", "cancelling", "succeeded", "failed",
                "cancelled"}, example = "queued") String status,
        String model,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("training_file") String trainingFile,
        @JsonProperty("validation_file") String validationFile,
        @Schema(allowableValues = {"lora", "qlora", "adapter"}) String method,
        Hyperparameters hyperparameters,
        String segment,
        String suffix,
        Map<String, Object> metadata,
        long seed,
        @JsonProperty("from_checkpoint") String fromCheckpoint,
        @JsonProperty("trained_tokens") Long trainedTokens,
        @JsonProperty("estimated_finish") Instant estimatedFinish,
        @Schema(description = "The model registry's reference of the adapter version this job produced, "
                + "segment/number (e.g. default/3), usable wherever the registry takes a ref "
                + "(/api/v1/registry/resolve?ref=...). Null until the registry has registered the adapter, "
                + "which happens just after the job succeeds.", nullable = true, example = "default/3")
        @JsonProperty("fine_tuned_model") String fineTunedModel,
        @JsonProperty("result_files") List<String> resultFiles,
        JobError error,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("finished_at") Instant finishedAt,
        @Schema(description = "What the worker has reported so far: the last trained step and its training loss "
                + "(the final loss once the job is over), the total steps once the worker has said, and for a queued "
                + "job its place among the tenant's queued jobs. Null on the response to a create.", nullable = true)
        Progress progress) {

    /**
     * @param step the last step a metric was recorded for, null before the first
     * @param totalSteps the steps the job will train, as the worker reported it; null until then
     * @param loss the training loss at {@code step}
     * @param queuePosition for a queued job, 1 + the tenant's queued jobs created before it (workers
     *     take tenants in turn, so other tenants' jobs do not queue ahead of it); null otherwise
     */
    record Progress(Integer step, @JsonProperty("total_steps") Integer totalSteps, Double loss,
            @JsonProperty("queue_position") Integer queuePosition) {
    }

    public static JobView of(FineTuningJob j, String modelName, String segmentName) {
        return of(j, modelName, segmentName, null);
    }

    public static JobView of(FineTuningJob j, String modelName, String segmentName, Progress progress) {
        return new JobView(j.id().toString(), "fine_tuning.job", j.status().wireName(), modelName,
                j.baseModelId().toString(), j.trainingDatasetId().toString(),
                j.validationDatasetId().map(Object::toString).orElse(null), j.method().wireName(), j.hyperparameters(),
                segmentName, j.suffix().orElse(null), j.metadata(), j.seed(),
                j.fromCheckpoint().map(JobView::checkpointId).orElse(null), j.trainedTokens().orElse(null),
                j.estimatedFinish().orElse(null),
                j.fineTunedModel().orElse(null),
                j.resultObjectKeys(), j.error().orElse(null), j.createdAt(), j.startedAt().orElse(null),
                j.finishedAt().orElse(null), progress);
    }

    public static String checkpointId(CheckpointRef ref) {
        return ref.name();
    }
}
