package dev.finetune.engine.train;

import static dev.finetune.settings.SettingChecks.atLeast;
import static dev.finetune.settings.SettingChecks.nonNegative;
import static dev.finetune.settings.SettingChecks.positive;
import static dev.finetune.settings.SettingChecks.required;

import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TrainingSettings;

/**
 * Everything the training loop needs besides the model, adapter and data: the shared
 * {@link TrainingSettings} (their defaults and rules are defined there, once) plus the knobs only
 * the engine has. Build it with {@link #builder(TrainingSettings)}; the accessors below read the
 * settings in the loop's terms (0 for "not set").
 *
 * @param settings epochs, steps, batch, learning rate and schedule, warm-up, decay, clipping, eval cadence
 * @param seed seeds LoRA init, data order and dropout, so a run repeats exactly
 * @param beta1 AdamW first-moment decay (0.9, PyTorch's and Hugging Face's default)
 * @param beta2 AdamW second-moment decay (0.999, likewise)
 * @param adamEpsilon AdamW denominator epsilon (1e-8, likewise)
 * @param warmupSteps explicit warmup steps; overrides the settings' warmup ratio when > 0
 * @param earlyStoppingMinDelta an eval-loss improvement smaller than this does not count
 * @param logEvery call the progress listener's log line every this many steps
 * @param blockRecompute recompute each block in backward instead of keeping its activations and
 *                       dequantized weights (on by default: it is what keeps QLoRA's memory low)
 */
public record TrainingConfig(TrainingSettings settings, long seed, double beta1, double beta2, double adamEpsilon,
                             int warmupSteps, double earlyStoppingMinDelta, int logEvery, boolean blockRecompute) {

    /** 42: any fixed value makes a command line run repeat exactly; the platform draws one per job instead. */
    public static final long DEFAULT_SEED = 42;
    /** Ten steps: one progress line every few seconds on the demo model. */
    public static final int DEFAULT_LOG_EVERY = 10;

    public TrainingConfig {
        required("settings", settings);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new InvalidSettingException("beta1", "must be >= 0 and < 1 but was " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new InvalidSettingException("beta2", "must be >= 0 and < 1 but was " + beta2);
        }
        positive("adam_epsilon", adamEpsilon);
        atLeast("warmup_steps", warmupSteps, 0);
        nonNegative("early_stopping_min_delta", earlyStoppingMinDelta);
        atLeast("log_every", logEvery, 1);
    }

    /** The shared defaults with the engine's own. */
    public static TrainingConfig defaults() {
        return builder(TrainingSettings.DEFAULTS).build();
    }

    public static Builder builder(TrainingSettings settings) {
        return new Builder(settings);
    }

    public Builder toBuilder() {
        return new Builder(settings).seed(seed).adam(beta1, beta2, adamEpsilon).warmupSteps(warmupSteps)
                .earlyStoppingMinDelta(earlyStoppingMinDelta).logEvery(logEvery).blockRecompute(blockRecompute);
    }

    public double learningRate() { return settings.learningRate(); }
    public double weightDecay() { return settings.weightDecay(); }
    public LrScheduler schedule() { return settings.lrScheduler(); }
    public double warmupRatio() { return settings.warmupRatio(); }
    public int batchSize() { return settings.batchSize(); }
    public int gradientAccumulationSteps() { return settings.gradientAccumulationSteps(); }
    /** 0 disables clipping. */
    public double maxGradNorm() { return settings.maxGradNorm(); }
    public int epochs() { return settings.nEpochs(); }
    /** Optimizer steps to run; 0 derives them from the epochs. */
    public int maxSteps() { return settings.maxSteps() == null ? 0 : settings.maxSteps(); }
    /** Evaluate every this many optimizer steps; 0 at the end of every epoch (and always after the last step). */
    public int evalEvery() { return settings.evalEverySteps() == null ? 0 : settings.evalEverySteps(); }
    /** Stop after this many evaluations without improvement; 0 never stops early. */
    public int earlyStoppingPatience() {
        return settings.earlyStoppingPatience() == null ? 0 : settings.earlyStoppingPatience();
    }

    public int warmupFor(int totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(settings.warmupRatio() * totalSteps);
    }

    public TrainingConfig withSettings(TrainingSettings value) {
        return new TrainingConfig(value, seed, beta1, beta2, adamEpsilon, warmupSteps, earlyStoppingMinDelta, logEvery,
                blockRecompute);
    }

    public TrainingConfig withMaxSteps(int steps) {
        return withSettings(settings.toBuilder().maxSteps(steps).build());
    }

    public TrainingConfig withLearningRate(double lr) {
        return withSettings(settings.toBuilder().learningRate(lr).build());
    }

    public TrainingConfig withBlockRecompute(boolean on) {
        return toBuilder().blockRecompute(on).build();
    }

    /** Evaluates every {@code every} steps (0: at the end of every epoch), stopping after {@code patience} evals without improvement (0: never). */
    public TrainingConfig withEval(int every, int patience) {
        return withSettings(settings.toBuilder().evalEverySteps(every == 0 ? null : every)
                .earlyStoppingPatience(patience == 0 ? null : patience).build());
    }

    public TrainingConfig withBatch(int size, int accumulation) {
        return withSettings(settings.toBuilder().batchSize(size).gradientAccumulationSteps(accumulation).build());
    }

    /** The settings plus the engine's knobs, each defaulted; {@link #build()} validates. */
    public static final class Builder {
        private final TrainingSettings settings;
        private long seed = DEFAULT_SEED;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private int warmupSteps;
        private double earlyStoppingMinDelta;
        private int logEvery = DEFAULT_LOG_EVERY;
        private boolean blockRecompute = true;

        private Builder(TrainingSettings settings) {
            this.settings = settings;
        }

        public Builder seed(long value) { seed = value; return this; }
        public Builder adam(double b1, double b2, double epsilon) { beta1 = b1; beta2 = b2; adamEpsilon = epsilon; return this; }
        public Builder warmupSteps(int value) { warmupSteps = value; return this; }
        public Builder earlyStoppingMinDelta(double value) { earlyStoppingMinDelta = value; return this; }
        public Builder logEvery(int value) { logEvery = value; return this; }
        public Builder blockRecompute(boolean value) { blockRecompute = value; return this; }

        public TrainingConfig build() {
            return new TrainingConfig(settings, seed, beta1, beta2, adamEpsilon, warmupSteps, earlyStoppingMinDelta,
                    logEvery, blockRecompute);
        }
    }
}
