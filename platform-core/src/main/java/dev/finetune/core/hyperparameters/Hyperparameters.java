package dev.finetune.core.hyperparameters;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.json.CoreJson;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.InvalidSettingException;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.MethodSettings;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.TrainingSettings;

/**
 * Hyperparameters of one fine-tuning job: the API's and the jsonb column's flat snake_case form of
 * the shared settings ({@link TrainingSettings}, {@link LoraSettings}, {@link BottleneckSettings}),
 * which define every default and rule; {@link #training()}, {@link #lora()} and {@link #bottleneck()}
 * give them back, {@link #of} goes the other way. Method-independent fields first, then LoRA/QLoRA
 * fields, then bottleneck-adapter fields; the fields of the other method are kept (with their
 * defaults) so that a job's JSON is always complete. Nullable: {@code max_steps} (train for
 * {@code n_epochs}), {@code eval_every_steps} (evaluate at the end of every epoch and after the last step) and
 * {@code early_stopping_patience} (no early stopping). Each component names its JSON field itself
 * ({@code @JsonProperty}, which Jackson 3 and the OpenAPI generator's Jackson 2 both read), so the
 * document lists exactly the snake_case fields the server reads and writes.
 */
public record Hyperparameters(
        @JsonProperty("n_epochs") int nEpochs,
        @JsonProperty("max_steps") Integer maxSteps,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("lr_scheduler") LrScheduler lrScheduler,
        @JsonProperty("warmup_ratio") double warmupRatio,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("max_grad_norm") double maxGradNorm,
        @JsonProperty("gradient_accumulation_steps") int gradientAccumulationSteps,
        @JsonProperty("max_seq_length") int maxSeqLength,
        @JsonProperty("eval_every_steps") Integer evalEverySteps,
        @JsonProperty("early_stopping_patience") Integer earlyStoppingPatience,
        @JsonProperty("train_on_inputs") boolean trainOnInputs,
        @JsonProperty("packing") boolean packing,
        @JsonProperty("lora_r") int loraR,
        @JsonProperty("lora_alpha") int loraAlpha,
        @JsonProperty("lora_dropout") double loraDropout,
        @JsonProperty("target_modules") TargetModules targetModules,
        @JsonProperty("use_rslora") boolean useRslora,
        @JsonProperty("use_dora") boolean useDora,
        @JsonProperty("adapter_reduction_factor") int adapterReductionFactor,
        @JsonProperty("adapter_kind") AdapterKind adapterKind) {

    private static final Hyperparameters DEFAULTS = of(TrainingSettings.DEFAULTS, LoraSettings.DEFAULTS,
            BottleneckSettings.DEFAULTS);

    /** Every rule is the shared settings' rule; a broken one is reported with its JSON field name. */
    public Hyperparameters {
        try {
            new TrainingSettings(nEpochs, maxSteps, batchSize, learningRate, lrScheduler, warmupRatio, weightDecay,
                    maxGradNorm, gradientAccumulationSteps, maxSeqLength, evalEverySteps, earlyStoppingPatience,
                    trainOnInputs, packing);
            new LoraSettings(loraR, loraAlpha, loraDropout, targetModules, useRslora, useDora);
            new BottleneckSettings(adapterKind, adapterReductionFactor);
        } catch (InvalidSettingException e) {
            throw new InvalidHyperparameterException(e.field(), e.rule());
        }
    }

    /** The flat JSON form of the shared settings. */
    public static Hyperparameters of(TrainingSettings t, LoraSettings l, BottleneckSettings b) {
        return new Hyperparameters(t.nEpochs(), t.maxSteps(), t.batchSize(), t.learningRate(), t.lrScheduler(),
                t.warmupRatio(), t.weightDecay(), t.maxGradNorm(), t.gradientAccumulationSteps(), t.maxSeqLength(),
                t.evalEverySteps(), t.earlyStoppingPatience(), t.trainOnInputs(), t.packing(), l.r(), l.alpha(),
                l.dropout(), l.targetModules(), l.useRslora(), l.useDora(), b.reductionFactor(), b.kind());
    }

    /** The method-independent settings. */
    public TrainingSettings training() {
        return new TrainingSettings(nEpochs, maxSteps, batchSize, learningRate, lrScheduler, warmupRatio, weightDecay,
                maxGradNorm, gradientAccumulationSteps, maxSeqLength, evalEverySteps, earlyStoppingPatience,
                trainOnInputs, packing);
    }

    public LoraSettings lora() {
        return new LoraSettings(loraR, loraAlpha, loraDropout, targetModules, useRslora, useDora);
    }

    public BottleneckSettings bottleneck() {
        return new BottleneckSettings(adapterKind, adapterReductionFactor);
    }

    /** The settings of {@code method}: LoRA's for lora and qlora, the bottleneck's for adapter. */
    public MethodSettings methodSettings(FineTuningMethod method) {
        return method.isLora() ? lora() : bottleneck();
    }

    /** The shared settings' defaults ({@code TrainingSettings.DEFAULTS}, {@code LoraSettings.DEFAULTS}, ...). */
    public static Hyperparameters defaults() {
        return DEFAULTS;
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

    /**
     * Checks the fields that only one method understands against the job's method: {@code use_dora} rescales a
     * LoRA update, so a bottleneck-adapter job ({@code adapter}) cannot have it.
     */
    public void checkFitsMethod(FineTuningMethod method) {
        try {
            lora().checkFitsMethod(method);
        } catch (InvalidSettingException e) {
            throw new InvalidHyperparameterException(e.field(), e.rule());
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
}
