package dev.finetune.settings;

import static dev.finetune.settings.SettingChecks.atLeast;
import static dev.finetune.settings.SettingChecks.atLeastOrNull;
import static dev.finetune.settings.SettingChecks.atMost;
import static dev.finetune.settings.SettingChecks.fraction;
import static dev.finetune.settings.SettingChecks.nonNegative;
import static dev.finetune.settings.SettingChecks.required;

/**
 * The method-independent settings of one fine-tune: how long, how big a batch, how fast, on how
 * long sequences, how often to evaluate. Every default is defined here once, with why; the API's
 * hyperparameters, the CLI's flags and the dashboard (which reads them from the API) all take them
 * from here. Fields are named as the API names them ({@code n_epochs}); the constructor checks
 * every value and throws an {@link InvalidSettingException} naming the field.
 *
 * @param nEpochs passes over the training data (when {@code maxSteps} is null)
 * @param maxSteps optimizer steps to run; null: derive them from {@code nEpochs}
 * @param batchSize sequences per micro-batch
 * @param learningRate peak learning rate, in (0, 1]
 * @param lrScheduler decay after warm-up
 * @param warmupRatio share of all optimizer steps spent warming up from 0, in [0, 1)
 * @param weightDecay AdamW's decoupled weight decay
 * @param maxGradNorm clip the global gradient norm to this; 0 disables clipping (Hugging Face's meaning)
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxSeqLength longest sequence in tokens; longer examples are truncated
 * @param evalEverySteps evaluate every this many optimizer steps; null: at the end of every epoch; either way also after the last step
 * @param earlyStoppingPatience stop after this many evaluations without a better eval loss; null: never early
 * @param trainOnInputs also train on the prompt tokens, not only the answers
 * @param packing pack several short examples into each sequence (attention stays per example)
 */
public record TrainingSettings(
        int nEpochs,
        Integer maxSteps,
        int batchSize,
        double learningRate,
        LrScheduler lrScheduler,
        double warmupRatio,
        double weightDecay,
        double maxGradNorm,
        int gradientAccumulationSteps,
        int maxSeqLength,
        Integer evalEverySteps,
        Integer earlyStoppingPatience,
        boolean trainOnInputs,
        boolean packing) {

    /**
     * 3: OpenAI's fine-tuning API ({@code n_epochs: "auto"}) and Hugging Face's Trainer
     * ({@code num_train_epochs=3}) both train small instruction sets about three times; fewer
     * under-fits a few hundred examples, more starts to memorise them.
     */
    public static final int DEFAULT_N_EPOCHS = 3;
    /** 4: axolotl's and LLaMA-Factory's LoRA examples use 2-4; it fits a 7B QLoRA step at 512 tokens on a 24 GB GPU. */
    public static final int DEFAULT_BATCH_SIZE = 4;
    /** 2e-4: the QLoRA paper's and PEFT's examples' rate for LoRA (full fine-tuning uses ~1e-5). */
    public static final double DEFAULT_LEARNING_RATE = 2e-4;
    /** Cosine: what axolotl's and LLaMA-Factory's LoRA recipes use; it ends near 0 without a cliff. */
    public static final LrScheduler DEFAULT_LR_SCHEDULER = LrScheduler.COSINE;
    /** 0.03: the QLoRA paper's and Stanford Alpaca's warm-up share. */
    public static final double DEFAULT_WARMUP_RATIO = 0.03;
    /** 0: Hugging Face's default; LoRA's few weights rarely overfit through size. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;
    /** 1.0: Hugging Face's Trainer default. */
    public static final double DEFAULT_MAX_GRAD_NORM = 1.0;
    /** 1: Hugging Face's default; raise it to get a larger effective batch without the memory. */
    public static final int DEFAULT_GRADIENT_ACCUMULATION_STEPS = 1;
    /** 512: long enough for most instruction and chat turns, short enough to train on a CPU; raise it for long chats. */
    public static final int DEFAULT_MAX_SEQ_LENGTH = 512;
    /** The longest sequence any supported model family takes (Llama 3.1's 128k context). */
    public static final int MAX_SEQ_LENGTH_LIMIT = 131_072;
    /** 50 passes: OpenAI's fine-tuning API caps n_epochs at 50; more only memorises the data. */
    public static final int MAX_N_EPOCHS = 50;
    /**
     * 100,000 optimizer steps: days of GPU time for a LoRA on a 7B model, far beyond any adapter run;
     * the bound keeps one job from holding a worker for years (a 1e9-step job was accepted once).
     */
    public static final int MAX_STEPS_LIMIT = 100_000;
    /** 256 sequences per micro-batch: OpenAI's largest batch_size; beyond it no accelerator holds the activations. */
    public static final int MAX_BATCH_SIZE = 256;
    /** 1,024 micro-batches per optimizer step: an effective batch of 262,144 sequences at the largest batch size. */
    public static final int MAX_GRADIENT_ACCUMULATION_STEPS = 1_024;
    /** The shortest sequence worth training on. */
    public static final int MIN_SEQ_LENGTH = 8;
    /** False: train on the answers only, as axolotl ({@code train_on_inputs: false}) and TRL's completion-only loss do. */
    public static final boolean DEFAULT_TRAIN_ON_INPUTS = false;
    /** False: TRL's default; packing speeds up short data but changes what one step means. */
    public static final boolean DEFAULT_PACKING = false;

    /** Every field at its default: no step limit, evaluation at the end of every epoch and after the last step, no early stopping. */
    public static final TrainingSettings DEFAULTS = new TrainingSettings(DEFAULT_N_EPOCHS, null, DEFAULT_BATCH_SIZE,
            DEFAULT_LEARNING_RATE, DEFAULT_LR_SCHEDULER, DEFAULT_WARMUP_RATIO, DEFAULT_WEIGHT_DECAY,
            DEFAULT_MAX_GRAD_NORM, DEFAULT_GRADIENT_ACCUMULATION_STEPS, DEFAULT_MAX_SEQ_LENGTH, null, null,
            DEFAULT_TRAIN_ON_INPUTS, DEFAULT_PACKING);

    public TrainingSettings {
        atLeast("n_epochs", nEpochs, 1);
        atMost("n_epochs", nEpochs, MAX_N_EPOCHS);
        atLeastOrNull("max_steps", maxSteps, 1);
        if (maxSteps != null) {
            atMost("max_steps", maxSteps, MAX_STEPS_LIMIT);
        }
        atLeast("batch_size", batchSize, 1);
        atMost("batch_size", batchSize, MAX_BATCH_SIZE);
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new InvalidSettingException("learning_rate", "must be > 0 and <= 1 but was " + learningRate);
        }
        required("lr_scheduler", lrScheduler);
        fraction("warmup_ratio", warmupRatio);
        nonNegative("weight_decay", weightDecay);
        nonNegative("max_grad_norm", maxGradNorm);
        atLeast("gradient_accumulation_steps", gradientAccumulationSteps, 1);
        atMost("gradient_accumulation_steps", gradientAccumulationSteps, MAX_GRADIENT_ACCUMULATION_STEPS);
        atLeast("max_seq_length", maxSeqLength, MIN_SEQ_LENGTH);
        atMost("max_seq_length", maxSeqLength, MAX_SEQ_LENGTH_LIMIT);
        atLeastOrNull("eval_every_steps", evalEverySteps, 1);
        atLeastOrNull("early_stopping_patience", earlyStoppingPatience, 1);
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Starts from the defaults (or a given value); {@link #build()} validates. */
    public static final class Builder {
        private int nEpochs;
        private Integer maxSteps;
        private int batchSize;
        private double learningRate;
        private LrScheduler lrScheduler;
        private double warmupRatio;
        private double weightDecay;
        private double maxGradNorm;
        private int gradientAccumulationSteps;
        private int maxSeqLength;
        private Integer evalEverySteps;
        private Integer earlyStoppingPatience;
        private boolean trainOnInputs;
        private boolean packing;

        private Builder(TrainingSettings s) {
            nEpochs = s.nEpochs;
            maxSteps = s.maxSteps;
            batchSize = s.batchSize;
            learningRate = s.learningRate;
            lrScheduler = s.lrScheduler;
            warmupRatio = s.warmupRatio;
            weightDecay = s.weightDecay;
            maxGradNorm = s.maxGradNorm;
            gradientAccumulationSteps = s.gradientAccumulationSteps;
            maxSeqLength = s.maxSeqLength;
            evalEverySteps = s.evalEverySteps;
            earlyStoppingPatience = s.earlyStoppingPatience;
            trainOnInputs = s.trainOnInputs;
            packing = s.packing;
        }

        public Builder nEpochs(int v) { nEpochs = v; return this; }
        public Builder maxSteps(Integer v) { maxSteps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder lrScheduler(LrScheduler v) { lrScheduler = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder maxSeqLength(int v) { maxSeqLength = v; return this; }
        public Builder evalEverySteps(Integer v) { evalEverySteps = v; return this; }
        public Builder earlyStoppingPatience(Integer v) { earlyStoppingPatience = v; return this; }
        public Builder trainOnInputs(boolean v) { trainOnInputs = v; return this; }
        public Builder packing(boolean v) { packing = v; return this; }

        public TrainingSettings build() {
            return new TrainingSettings(nEpochs, maxSteps, batchSize, learningRate, lrScheduler, warmupRatio,
                    weightDecay, maxGradNorm, gradientAccumulationSteps, maxSeqLength, evalEverySteps,
                    earlyStoppingPatience, trainOnInputs, packing);
        }
    }
}
