package dev.finetune.engine.train;

import dev.finetune.settings.LrScheduler;

/**
 * The learning-rate multiplier of each {@link LrScheduler} with Hugging Face's {@code get_scheduler}
 * semantics: a linear warmup from 0, then constant, linear decay to 0, or half-cosine decay to 0,
 * evaluated at the 0-based index of the optimizer step about to run.
 */
final class LrSchedule {

    private LrSchedule() {
    }

    static double multiplier(LrScheduler schedule, int step, int warmupSteps, int totalSteps) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (schedule) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
