package dev.finetune.api.openai;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.finetune.api.job.JobView;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.JobError;
import dev.finetune.settings.FineTuningMethod;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's fine-tuning job object, made from the native {@link JobView} (one rendering of a job).
 * Timestamps are unix seconds. Status mapping (OpenAI has no {@code cancelling}, and its
 * {@code succeeded} job already names its model):
 * <ul>
 *   <li>{@code validating_files}, {@code queued}, {@code running}, {@code failed}, {@code cancelled}: the same;</li>
 *   <li>{@code cancelling} (a cancel asked of a running job, which stops after the step in progress): {@code running};</li>
 *   <li>{@code succeeded}: {@code succeeded} once the registry has registered the adapter and {@code fine_tuned_model}
 *       names it ({@code segment/N}, what the serving module's {@code /v1/chat/completions} takes as {@code model}),
 *       a moment after training ends; until then {@code running}.</li>
 * </ul>
 * {@code platform_status} always carries the native status. {@code finished_at} is set with a
 * terminal status. Extensions: {@code peft_method}, {@code segment}, {@code platform_status}.
 */
@Schema(name = "OpenAiJob")
record OpenAiJob(
        String id,
        @Schema(allowableValues = "fine_tuning.job") String object,
        @Schema(description = "unix seconds") @JsonProperty("created_at") long createdAt,
        @Schema(nullable = true) Error error,
        @Schema(nullable = true, description = "the registry reference segment/N of the adapter; callable as model on"
                + " /v1/chat/completions", example = "default/3") @JsonProperty("fine_tuned_model") String fineTunedModel,
        @Schema(nullable = true, description = "unix seconds") @JsonProperty("finished_at") Long finishedAt,
        OpenAiHyperparameters hyperparameters,
        String model,
        @Schema(description = "the tenant's id") @JsonProperty("organization_id") String organizationId,
        @Schema(description = "always empty: the adapter's files are the registry version's (fine_tuned_model)")
        @JsonProperty("result_files") List<String> resultFiles,
        long seed,
        @Schema(allowableValues = {"validating_files", "queued", "running", "succeeded", "failed", "cancelled"}) String status,
        @Schema(nullable = true) @JsonProperty("trained_tokens") Long trainedTokens,
        @JsonProperty("training_file") String trainingFile,
        @Schema(nullable = true) @JsonProperty("validation_file") String validationFile,
        @Schema(nullable = true, description = "unix seconds") @JsonProperty("estimated_finish") Long estimatedFinish,
        @Schema(nullable = true) String suffix,
        Map<String, Object> metadata,
        Method method,
        @Schema(allowableValues = {"lora", "qlora", "adapter"}) @JsonProperty("peft_method") String peftMethod,
        String segment,
        @Schema(description = "the native status, including cancelling",
                allowableValues = {"validating_files", "queued", "running", "cancelling", "succeeded", "failed", "cancelled"})
        @JsonProperty("platform_status") String platformStatus) {

    @Schema(name = "OpenAiJobError")
    record Error(String code, String message, @Schema(nullable = true) String param) {
    }

    /** The job's settings: OpenAI's three (as values, never "auto") and every native field. */
    @Schema(name = "OpenAiHyperparameters")
    record OpenAiHyperparameters(
            @Schema(description = "learning_rate divided by the method's base rate (2e-4)")
            @JsonProperty("learning_rate_multiplier") double learningRateMultiplier,
            @JsonUnwrapped Hyperparameters settings) {
    }

    @Schema(name = "OpenAiJobMethod")
    record Method(@Schema(allowableValues = "supervised") String type, Supervised supervised) {
    }

    @Schema(name = "OpenAiSupervisedMethod")
    record Supervised(OpenAiHyperparameters hyperparameters) {
    }

    static OpenAiJob of(JobView j, String tenantId) {
        FineTuningMethod method = FineTuningMethod.fromWire(j.method());
        OpenAiHyperparameters hp = new OpenAiHyperparameters(
                j.hyperparameters().learningRate() / LearningRates.base(method), j.hyperparameters());
        String status = status(j);
        boolean terminal = status.equals("succeeded") || status.equals("failed") || status.equals("cancelled");
        JobError e = j.error();
        return new OpenAiJob(j.id(), "fine_tuning.job", j.createdAt().getEpochSecond(),
                e == null ? null : new Error(e.code(), e.message(), e.param()), j.fineTunedModel(),
                terminal ? seconds(j.finishedAt()) : null, hp, j.model(), tenantId, List.of(), j.seed(), status,
                j.trainedTokens(), j.trainingFile(), j.validationFile(), seconds(j.estimatedFinish()), j.suffix(),
                j.metadata() == null ? Map.of() : j.metadata(), new Method("supervised", new Supervised(hp)),
                j.method(), j.segment(), j.status());
    }

    /** The documented mapping above. */
    static String status(JobView j) {
        return switch (j.status()) {
            case "cancelling" -> "running";
            case "succeeded" -> j.fineTunedModel() == null ? "running" : "succeeded";
            default -> j.status();
        };
    }

    private static Long seconds(Instant at) {
        return at == null ? null : at.getEpochSecond();
    }
}
