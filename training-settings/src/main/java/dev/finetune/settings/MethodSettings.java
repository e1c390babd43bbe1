package dev.finetune.settings;

/**
 * The settings only one kind of method understands: {@link LoraSettings} for {@code lora} and
 * {@code qlora}, {@link BottleneckSettings} for {@code adapter}. A new method adds its own record here.
 */
public sealed interface MethodSettings permits LoraSettings, BottleneckSettings {

    /** The settings a job of {@code method} trains with when none are given. */
    static MethodSettings defaultsFor(FineTuningMethod method) {
        return method.isLora() ? LoraSettings.DEFAULTS : BottleneckSettings.DEFAULTS;
    }
}
