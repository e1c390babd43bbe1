package dev.finetune.api.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.job.JobView;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobMetric;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's job checkpoint. {@code id} and {@code fine_tuned_model_checkpoint} are the checkpoint's
 * reference {@code <job id>:step-<n>}, the name a new job's {@code from_checkpoint} takes;
 * {@code metrics} has the step's {@code train_loss} and, where the step was evaluated, {@code valid_loss}.
 */
@Schema(name = "OpenAiJobCheckpoint")
record OpenAiCheckpoint(
        String id,
        @Schema(allowableValues = "fine_tuning.job.checkpoint") String object,
        @Schema(description = "unix seconds") @JsonProperty("created_at") long createdAt,
        @JsonProperty("fine_tuned_model_checkpoint") String fineTunedModelCheckpoint,
        @JsonProperty("fine_tuning_job_id") String fineTuningJobId,
        @JsonProperty("step_number") long stepNumber,
        Metrics metrics) {

    @Schema(name = "OpenAiCheckpointMetrics")
    record Metrics(double step, @Schema(nullable = true) @JsonProperty("train_loss") Double trainLoss,
            @Schema(nullable = true) @JsonProperty("valid_loss") Double validLoss) {
    }

    static OpenAiCheckpoint of(JobCheckpoint c, JobMetric atStep) {
        String ref = JobView.checkpointId(new CheckpointRef(c.jobId(), c.step()));
        return new OpenAiCheckpoint(ref, "fine_tuning.job.checkpoint", c.createdAt().getEpochSecond(), ref,
                c.jobId().toString(), c.step(), new Metrics(c.step(), atStep == null ? null : atStep.loss(),
                        atStep == null ? null : atStep.evalLoss()));
    }
}
