package dev.finetune.core.hyperparameters;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.json.CoreJson;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Hyperparameters of one fine-tuning job. Method-independent fields first, then LoRA/QLoRA
 * fields, then bottleneck-adapter fields; the fields of the other method are kept (with their
 * defaults) so that a job's JSON is always complete. Nullable: {@code max_steps} (train for
 * {@code n_epochs}), {@code eval_every_steps} (evaluate once, after the last step) and
 * {@code early_stopping_patience} (no early stopping).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Hyperparameters(
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
        boolean packing,
        int loraR,
        int loraAlpha,
        double loraDropout,
        TargetModules targetModules,
        boolean useRslora,
        boolean useDora,
        int adapterReductionFactor,
        AdapterKind adapterKind) {

    public static final int DEFAULT_N_EPOCHS = 3;
    public static final int MAX_SEQ_LENGTH_LIMIT = 131_072;

    public Hyperparameters {
        atLeast("n_epochs", nEpochs, 1);
        if (maxSteps != null) {
            atLeast("max_steps", maxSteps, 1);
        }
        atLeast("batch_size", batchSize, 1);
        if (!(learningRate > 0) || !Double.isFinite(learningRate) || learningRate > 1) {
            throw new InvalidHyperparameterException("learning_rate", "must be > 0 and <= 1 but was " + learningRate);
        }
        required("lr_scheduler", lrScheduler);
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new InvalidHyperparameterException("warmup_ratio", "must be >= 0 and < 1 but was " + warmupRatio);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new InvalidHyperparameterException("weight_decay", "must be >= 0 but was " + weightDecay);
        }
        if (!(maxGradNorm > 0) || !Double.isFinite(maxGradNorm)) {
            throw new InvalidHyperparameterException("max_grad_norm", "must be > 0 but was " + maxGradNorm);
        }
        atLeast("gradient_accumulation_steps", gradientAccumulationSteps, 1);
        atLeast("max_seq_length", maxSeqLength, 8);
        if (maxSeqLength > MAX_SEQ_LENGTH_LIMIT) {
            throw new InvalidHyperparameterException("max_seq_length", "must be <= " + MAX_SEQ_LENGTH_LIMIT + " but was " + maxSeqLength);
        }
        if (evalEverySteps != null) {
            atLeast("eval_every_steps", evalEverySteps, 1);
        }
        if (earlyStoppingPatience != null) {
            atLeast("early_stopping_patience", earlyStoppingPatience, 1);
        }
        atLeast("lora_r", loraR, 1);
        atLeast("lora_alpha", loraAlpha, 1);
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new InvalidHyperparameterException("lora_dropout", "must be >= 0 and < 1 but was " + loraDropout);
        }
        required("target_modules", targetModules);
        atLeast("adapter_reduction_factor", adapterReductionFactor, 1);
        required("adapter_kind", adapterKind);
    }

    /** PEFT-style defaults for every field. */
    public static Hyperparameters defaults() {
        return builder().build();
    }

    public static HyperparametersBuilder builder() {
        return new HyperparametersBuilder();
    }

    public HyperparametersBuilder toBuilder() {
        return new HyperparametersBuilder(this);
    }

    /** Parses client or stored JSON; omitted fields take defaults, unknown ones are rejected. */
    public static Hyperparameters fromJson(String json) {
        return CoreJson.read(json == null || json.isBlank() ? "{}" : json, Hyperparameters.class);
    }

    public String toJson() {
        return CoreJson.write(this);
    }

    /** LoRA scaling factor: alpha / r, or alpha / sqrt(r) with rank-stabilised LoRA. */
    public double loraScaling() {
        return useRslora ? loraAlpha / Math.sqrt(loraR) : (double) loraAlpha / loraR;
    }

    /**
     * Checks the fields that only one method understands against the job's method: {@code use_dora} rescales a
     * LoRA update, so a bottleneck-adapter job ({@code adapter}) cannot have it.
     *
     * @param loraMethod whether the job's method is {@code lora} or {@code qlora}
     * @param method the method's wire name, for the message
     */
    public void checkFitsMethod(boolean loraMethod, String method) {
        if (useDora && !loraMethod) {
            throw new InvalidHyperparameterException("use_dora",
                    "applies to methods lora and qlora only, not " + method + " (DoRA rescales a LoRA update)");
        }
    }

    @JsonCreator
    static Hyperparameters fromJsonFields(
            @JsonProperty("n_epochs") Integer nEpochs,
            @JsonProperty("max_steps") Integer maxSteps,
            @JsonProperty("batch_size") Integer batchSize,
            @JsonProperty("learning_rate") Double learningRate,
            @JsonProperty("lr_scheduler") LrScheduler lrScheduler,
            @JsonProperty("warmup_ratio") Double warmupRatio,
            @JsonProperty("weight_decay") Double weightDecay,
            @JsonProperty("max_grad_norm") Double maxGradNorm,
            @JsonProperty("gradient_accumulation_steps") Integer gradientAccumulationSteps,
            @JsonProperty("max_seq_length") Integer maxSeqLength,
            @JsonProperty("eval_every_steps") Integer evalEverySteps,
            @JsonProperty("early_stopping_patience") Integer earlyStoppingPatience,
            @JsonProperty("train_on_inputs") Boolean trainOnInputs,
            @JsonProperty("packing") Boolean packing,
            @JsonProperty("lora_r") Integer loraR,
            @JsonProperty("lora_alpha") Integer loraAlpha,
            @JsonProperty("lora_dropout") Double loraDropout,
            @JsonProperty("target_modules") TargetModules targetModules,
            @JsonProperty("use_rslora") Boolean useRslora,
            @JsonProperty("use_dora") Boolean useDora,
            @JsonProperty("adapter_reduction_factor") Integer adapterReductionFactor,
            @JsonProperty("adapter_kind") AdapterKind adapterKind) {
        HyperparametersBuilder b = builder();
        if (nEpochs != null) b.nEpochs(nEpochs);
        b.maxSteps(maxSteps);
        if (batchSize != null) b.batchSize(batchSize);
        if (learningRate != null) b.learningRate(learningRate);
        if (lrScheduler != null) b.lrScheduler(lrScheduler);
        if (warmupRatio != null) b.warmupRatio(warmupRatio);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (maxGradNorm != null) b.maxGradNorm(maxGradNorm);
        if (gradientAccumulationSteps != null) b.gradientAccumulationSteps(gradientAccumulationSteps);
        if (maxSeqLength != null) b.maxSeqLength(maxSeqLength);
        b.evalEverySteps(evalEverySteps);
        b.earlyStoppingPatience(earlyStoppingPatience);
        if (trainOnInputs != null) b.trainOnInputs(trainOnInputs);
        if (packing != null) b.packing(packing);
        if (loraR != null) b.loraR(loraR);
        if (loraAlpha != null) b.loraAlpha(loraAlpha);
        if (loraDropout != null) b.loraDropout(loraDropout);
        if (targetModules != null) b.targetModules(targetModules);
        if (useRslora != null) b.useRslora(useRslora);
        if (useDora != null) b.useDora(useDora);
        if (adapterReductionFactor != null) b.adapterReductionFactor(adapterReductionFactor);
        if (adapterKind != null) b.adapterKind(adapterKind);
        return b.build();
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new InvalidHyperparameterException(field, "must be " + (min == 1 ? "> 0" : ">= " + min) + " but was " + value);
        }
    }

    private static void required(String field, Object value) {
        if (value == null) {
            throw new InvalidHyperparameterException(field, "must not be null");
        }
    }
}
