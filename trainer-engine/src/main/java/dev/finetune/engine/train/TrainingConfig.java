package dev.finetune.engine.train;

/**
 * Everything the training loop needs besides the model, adapter and data. Defaults follow what
 * works for LoRA fine-tuning in practice (see {@link #defaults()}); every value is validated
 * with an error naming the field.
 *
 * @param learningRate peak learning rate (2e-4 is the common LoRA default; full fine-tuning uses ~1e-5)
 * @param weightDecay decoupled AdamW weight decay (0: LoRA rarely needs it)
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param adamEpsilon AdamW denominator epsilon
 * @param schedule learning-rate schedule after warmup
 * @param warmupRatio fraction of all optimizer steps spent warming up (used when warmupSteps is 0)
 * @param warmupSteps explicit warmup steps; overrides warmupRatio when > 0
 * @param batchSize sequences per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxGradNorm clip the global gradient norm to this (0 disables clipping)
 * @param epochs passes over the training data (ignored when maxSteps > 0)
 * @param maxSteps optimizer steps to run; 0 means derive from epochs
 * @param seed seeds LoRA init, data order and dropout, so a run repeats exactly
 * @param evalEvery evaluate every this many optimizer steps (0: only at the end)
 * @param earlyStoppingPatience stop after this many evaluations without improvement (0 disables)
 * @param earlyStoppingMinDelta improvement smaller than this does not count
 * @param logEvery call the progress listener's log line every this many steps
 * @param blockRecompute recompute each block in backward instead of keeping its activations and
 *                       dequantized weights (on by default: it is what keeps QLoRA's memory low)
 */
public record TrainingConfig(double learningRate, double weightDecay, double beta1, double beta2, double adamEpsilon,
                             LrScheduleType schedule, double warmupRatio, int warmupSteps, int batchSize,
                             int gradientAccumulationSteps, double maxGradNorm, double epochs, int maxSteps, long seed,
                             int evalEvery, int earlyStoppingPatience, double earlyStoppingMinDelta, int logEvery,
                             boolean blockRecompute) {

    public TrainingConfig {
        positive("learning_rate", learningRate);
        nonNegative("weight_decay", weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        positive("adam_epsilon", adamEpsilon);
        if (schedule == null) {
            throw new IllegalArgumentException("lr_scheduler must be one of constant, linear, cosine");
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new IllegalArgumentException("warmup_ratio must be in [0, 1), got " + warmupRatio);
        }
        atLeast("warmup_steps", warmupSteps, 0);
        atLeast("batch_size", batchSize, 1);
        atLeast("gradient_accumulation_steps", gradientAccumulationSteps, 1);
        nonNegative("max_grad_norm", maxGradNorm);
        atLeast("max_steps", maxSteps, 0);
        if (maxSteps == 0 && !(epochs > 0)) {
            throw new IllegalArgumentException("n_epochs must be > 0 when max_steps is not set, got " + epochs);
        }
        atLeast("eval_every", evalEvery, 0);
        atLeast("early_stopping_patience", earlyStoppingPatience, 0);
        nonNegative("early_stopping_min_delta", earlyStoppingMinDelta);
        atLeast("log_every", logEvery, 1);
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-4, 0.0, 0.9, 0.999, 1e-8, LrScheduleType.COSINE, 0.03, 0, 4, 1, 1.0, 1, 0, 42,
                0, 0, 0.0, 10, true);
    }

    public int warmupFor(int totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(warmupRatio * totalSteps);
    }

    public TrainingConfig withMaxSteps(int steps) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, adamEpsilon, schedule, warmupRatio, warmupSteps,
                batchSize, gradientAccumulationSteps, maxGradNorm, epochs, steps, seed, evalEvery, earlyStoppingPatience,
                earlyStoppingMinDelta, logEvery, blockRecompute);
    }

    public TrainingConfig withLearningRate(double lr) {
        return new TrainingConfig(lr, weightDecay, beta1, beta2, adamEpsilon, schedule, warmupRatio, warmupSteps,
                batchSize, gradientAccumulationSteps, maxGradNorm, epochs, maxSteps, seed, evalEvery, earlyStoppingPatience,
                earlyStoppingMinDelta, logEvery, blockRecompute);
    }

    public TrainingConfig withBlockRecompute(boolean on) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, adamEpsilon, schedule, warmupRatio, warmupSteps,
                batchSize, gradientAccumulationSteps, maxGradNorm, epochs, maxSteps, seed, evalEvery, earlyStoppingPatience,
                earlyStoppingMinDelta, logEvery, on);
    }

    public TrainingConfig withEval(int every, int patience) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, adamEpsilon, schedule, warmupRatio, warmupSteps,
                batchSize, gradientAccumulationSteps, maxGradNorm, epochs, maxSteps, seed, every, patience,
                earlyStoppingMinDelta, logEvery, blockRecompute);
    }

    public TrainingConfig withBatch(int size, int accumulation) {
        return new TrainingConfig(learningRate, weightDecay, beta1, beta2, adamEpsilon, schedule, warmupRatio, warmupSteps,
                size, accumulation, maxGradNorm, epochs, maxSteps, seed, evalEvery, earlyStoppingPatience,
                earlyStoppingMinDelta, logEvery, blockRecompute);
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be > 0, got " + v);
        }
    }

    private static void nonNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + v);
        }
    }

    private static void atLeast(String field, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + v);
        }
    }
}
