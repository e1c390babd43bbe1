package dev.finetune.api.openai;

import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.TrainingSettings;

/**
 * OpenAI's {@code learning_rate_multiplier} times a base learning rate per method is the job's peak
 * {@code learning_rate}. The base of every method is the rate that method trains with by default
 * ({@code TrainingSettings.DEFAULT_LEARNING_RATE}, 2e-4, the usual LoRA rate), so a multiplier of 1
 * (or {@code "auto"}) trains exactly as a job that names no rate: lora 2e-4, qlora 2e-4, adapter 2e-4.
 */
final class LearningRates {

    private LearningRates() {
    }

    static double base(FineTuningMethod method) {
        return switch (method) {
            case LORA, QLORA, ADAPTER -> TrainingSettings.DEFAULT_LEARNING_RATE;
        };
    }
}
