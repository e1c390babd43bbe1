package dev.finetune.api.openai;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/fine_tuning/jobs}: OpenAI's fields, and this platform's extensions as
 * extra fields (what the SDKs send as {@code extra_body} / {@code putAdditionalBodyProperty}):
 * {@code peft_method} ({@code lora} default, {@code qlora}, {@code adapter}) and {@code segment}; the
 * method's settings (any field of the native {@code hyperparameters}, e.g. {@code lora_r},
 * {@code max_steps}) go inside {@code hyperparameters} beside OpenAI's three. Unknown fields are refused.
 */
@Schema(name = "OpenAiCreateJobRequest", requiredProperties = {"model", "training_file"})
record OpenAiJobRequest(
        @Schema(description = "a base model id or name visible to the tenant", example = "tinystories-656k") String model,
        @JsonProperty("training_file") String trainingFile,
        @Schema(nullable = true) @JsonProperty("validation_file") String validationFile,
        @Schema(nullable = true, description = "1-64 letters, digits, '_' or '-'", example = "ci") String suffix,
        @Schema(nullable = true, description = "random when omitted; stored and shown") Long seed,
        @Schema(nullable = true, description = "at most 16 string pairs; stored and shown") Map<String, String> metadata,
        @Schema(nullable = true, implementation = HyperparametersInput.class) JsonNode hyperparameters,
        @Schema(nullable = true) Method method,
        @Schema(nullable = true, description = "not supported: a non-empty list is refused (400, param integrations)")
        List<Object> integrations,
        @Schema(nullable = true, description = "extension: the PEFT method, lora (default), qlora or adapter",
                allowableValues = {"lora", "qlora", "adapter"}) @JsonProperty("peft_method") String peftMethod,
        @Schema(nullable = true, description = "extension: the customer segment whose registry repository gets the adapter",
                example = "default") String segment) {

    /** OpenAI's {@code method}: only {@code supervised} is trained here. */
    @Schema(name = "OpenAiJobMethodInput", requiredProperties = "type")
    record Method(@Schema(allowableValues = "supervised") String type, @Schema(nullable = true) Supervised supervised,
            @Schema(nullable = true, description = "not supported") Object dpo,
            @Schema(nullable = true, description = "not supported") Object reinforcement) {
    }

    @Schema(name = "OpenAiSupervisedInput")
    record Supervised(@Schema(nullable = true, implementation = HyperparametersInput.class) JsonNode hyperparameters) {
    }

    /** For the OpenAPI document: OpenAI's three, each {@code "auto"} or a value, plus the native fields. */
    @Schema(name = "OpenAiHyperparametersInput", description = "OpenAI's n_epochs, batch_size and learning_rate_multiplier"
            + " (each \"auto\" or a number; the multiplier scales the method's base learning rate, 2e-4), plus any field"
            + " of Hyperparameters (lora_r, max_steps, learning_rate, ...); learning_rate and learning_rate_multiplier"
            + " together are refused.")
    record HyperparametersInput(
            @JsonProperty("n_epochs") @Schema(oneOf = {String.class, Integer.class}, example = "auto") Object nEpochs,
            @JsonProperty("batch_size") @Schema(oneOf = {String.class, Integer.class}, example = "auto") Object batchSize,
            @JsonProperty("learning_rate_multiplier") @Schema(oneOf = {String.class, Double.class}, example = "auto")
            Object learningRateMultiplier) {
    }
}
