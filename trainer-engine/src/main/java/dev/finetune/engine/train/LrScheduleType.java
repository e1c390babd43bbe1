package dev.finetune.engine.train;

/**
 * Learning-rate schedules with Hugging Face's {@code get_scheduler} semantics: a linear warmup
 * from 0, then constant, linear decay to 0, or half-cosine decay to 0. The multiplier is
 * evaluated at the 0-based index of the optimizer step about to run.
 */
public enum LrScheduleType {
    CONSTANT,
    LINEAR,
    COSINE;

    public double multiplier(int step, int warmupSteps, int totalSteps) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (this) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }
}
