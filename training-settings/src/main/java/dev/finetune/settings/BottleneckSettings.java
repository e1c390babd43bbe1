package dev.finetune.settings;

import static dev.finetune.settings.SettingChecks.atLeast;
import static dev.finetune.settings.SettingChecks.atMost;
import static dev.finetune.settings.SettingChecks.required;

/**
 * Bottleneck adapter settings with AdapterHub's ({@code adapters} library) meaning: a down-projection to
 * {@code hidden_size / reduction_factor}, a non-linearity and an up-projection, added residually.
 *
 * @param kind where the adapters sit in each decoder layer
 * @param reductionFactor the bottleneck is {@code hidden_size / reduction_factor} wide
 */
public record BottleneckSettings(AdapterKind kind, int reductionFactor) implements MethodSettings {

    /** Pfeiffer: AdapterHub's recommended configuration, half of Houlsby's parameters at about its quality. */
    public static final AdapterKind DEFAULT_KIND = AdapterKind.PFEIFFER;
    /** 16: AdapterHub's default for both {@code seq_bn} and {@code double_seq_bn}. */
    public static final int DEFAULT_REDUCTION_FACTOR = 16;

    /** 4,096: a bottleneck of one unit on the widest supported hidden size; the model's own width bounds it further. */
    public static final int MAX_REDUCTION_FACTOR = 4_096;

    public static final BottleneckSettings DEFAULTS = new BottleneckSettings(DEFAULT_KIND, DEFAULT_REDUCTION_FACTOR);

    public BottleneckSettings {
        required("adapter_kind", kind);
        atLeast("adapter_reduction_factor", reductionFactor, 1);
        atMost("adapter_reduction_factor", reductionFactor, MAX_REDUCTION_FACTOR);
    }

    public BottleneckSettings withReductionFactor(int value) {
        return new BottleneckSettings(kind, value);
    }
}
