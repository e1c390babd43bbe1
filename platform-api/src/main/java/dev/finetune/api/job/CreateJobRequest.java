package dev.finetune.api.job;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.api.input.PlainText;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.settings.FineTuningMethod;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/v1/fine-tuning/jobs}. Omitted values take defaults: method
 * {@code lora}, segment {@code default}, PEFT-style hyperparameters, a random seed.
 *
 * @param model           a base model id or name visible to the tenant
 * @param fromCheckpoint  a checkpoint id ({@code <job id>:step-<n>}) of an earlier job to start from
 */
public record CreateJobRequest(
        @NotBlank @PlainText String model,
        @NotBlank @PlainText @JsonProperty("training_file") String trainingFile,
        @PlainText @JsonProperty("validation_file") String validationFile,
        FineTuningMethod method,
        Hyperparameters hyperparameters,
        @PlainText String segment,
        @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be 1-64 letters, digits, '_' or '-'") String suffix,
        @Size(max = 16, message = "must have at most 16 entries")
        Map<@Size(max = 64, message = "keys must be at most 64 characters") @PlainText String,
            @Size(max = 512, message = "values must be at most 512 characters") @PlainText String> metadata,
        Long seed,
        @PlainText @JsonProperty("from_checkpoint") String fromCheckpoint) {
}
