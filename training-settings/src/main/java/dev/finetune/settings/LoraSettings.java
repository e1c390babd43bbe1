package dev.finetune.settings;

import static dev.finetune.settings.SettingChecks.atLeast;
import static dev.finetune.settings.SettingChecks.atMost;
import static dev.finetune.settings.SettingChecks.fraction;
import static dev.finetune.settings.SettingChecks.required;

/**
 * LoRA's settings with PEFT's meaning ({@code LoraConfig}): the update {@code B A} of rank {@code r}
 * is added to each targeted layer, scaled by {@code alpha / r} ({@code alpha / sqrt(r)} with rsLoRA),
 * optionally decomposed into magnitude and direction (DoRA).
 *
 * @param r rank of the update
 * @param alpha scaling numerator
 * @param dropout dropout on the LoRA input while training, in [0, 1)
 * @param targetModules the layers that get an update
 * @param useRslora rank-stabilised scaling {@code alpha / sqrt(r)} (PEFT's {@code use_rslora})
 * @param useDora weight-decomposed LoRA (PEFT's {@code use_dora})
 */
public record LoraSettings(int r, int alpha, double dropout, TargetModules targetModules, boolean useRslora,
                           boolean useDora) implements MethodSettings {

    /** 8: PEFT's default rank; enough for style and format, 16-64 for domains the base model knows little about. */
    public static final int DEFAULT_R = 8;
    /**
     * 16 (= 2r): the QLoRA paper's and axolotl's examples' choice, so the update starts at scale 2; PEFT's
     * own default (8, scale 1) learns more slowly at the same learning rate.
     */
    public static final int DEFAULT_ALPHA = 16;
    /** 0.05: the QLoRA paper's value for small models and axolotl's examples'; PEFT's 0 overfits small datasets sooner. */
    public static final double DEFAULT_DROPOUT = 0.05;
    /** PEFT's defaults: plain {@code alpha / r} scaling, no weight decomposition. */
    public static final boolean DEFAULT_USE_RSLORA = false;
    public static final boolean DEFAULT_USE_DORA = false;

    /**
     * 4,096: no model this platform trains has a layer narrower than the rank could use beyond it; the
     * base model's own layer widths bound it further ({@link ModelShape#check}).
     */
    public static final int MAX_R = 4_096;

    public static final LoraSettings DEFAULTS = new LoraSettings(DEFAULT_R, DEFAULT_ALPHA, DEFAULT_DROPOUT,
            TargetModules.DEFAULT, DEFAULT_USE_RSLORA, DEFAULT_USE_DORA);

    public LoraSettings {
        atLeast("lora_r", r, 1);
        atMost("lora_r", r, MAX_R);
        atLeast("lora_alpha", alpha, 1);
        fraction("lora_dropout", dropout);
        required("target_modules", targetModules);
    }

    /** PEFT's scaling factor: {@code alpha / r}, or {@code alpha / sqrt(r)} with rank-stabilised LoRA. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : (double) alpha / r;
    }

    /**
     * Checks these settings against the job's method: {@code use_dora} rescales a LoRA update, so a
     * bottleneck-adapter job cannot have it.
     */
    public void checkFitsMethod(FineTuningMethod method) {
        if (useDora && !method.isLora()) {
            throw new InvalidSettingException("use_dora", "applies to methods lora and qlora only, not "
                    + method.wireName() + " (DoRA rescales a LoRA update; a bottleneck adapter has none)");
        }
    }

    public LoraSettings withR(int value) {
        return new LoraSettings(value, alpha, dropout, targetModules, useRslora, useDora);
    }

    public LoraSettings withAlpha(int value) {
        return new LoraSettings(r, value, dropout, targetModules, useRslora, useDora);
    }

    public LoraSettings withRslora(boolean on) {
        return new LoraSettings(r, alpha, dropout, targetModules, on, useDora);
    }

    public LoraSettings withDora(boolean on) {
        return new LoraSettings(r, alpha, dropout, targetModules, useRslora, on);
    }
}
