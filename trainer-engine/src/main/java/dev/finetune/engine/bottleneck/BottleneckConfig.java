package dev.finetune.engine.bottleneck;

import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bottleneck adapter settings with AdapterHub's ({@code adapters} library) names and defaults: the
 * shared {@link BottleneckSettings} (kind and reduction factor, validated there) plus what only the
 * engine and AdapterHub's files carry.
 *
 * @param kind {@code PFEIFFER} ({@code seq_bn}: one adapter after the MLP) or {@code HOULSBY}
 *             ({@code double_seq_bn}: after attention and after the MLP)
 * @param reductionFactor bottleneck width is {@code hidden_size / reduction_factor}
 * @param nonLinearity activation between down- and up-projection: relu (Pfeiffer's default), swish (Houlsby's), gelu, tanh
 * @param scaling multiplier on the adapter output (1.0)
 * @param name the adapter's name inside the saved weights
 */
public record BottleneckConfig(AdapterKind kind, int reductionFactor, String nonLinearity, double scaling, String name)
        implements MethodConfig {

    public BottleneckConfig {
        new BottleneckSettings(kind, reductionFactor);
        nonLinearity = Activation.parse(nonLinearity == null ? kind == AdapterKind.PFEIFFER ? "relu" : "swish" : nonLinearity).id();
        if (!(scaling > 0)) {
            throw new IllegalArgumentException("scaling must be > 0, got " + scaling);
        }
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("adapter name must be 1-64 letters, digits, '_' or '-', got '" + name + "'");
        }
    }

    /**
     * The engine's config for the shared settings: each kind's own non-linearity (relu for Pfeiffer,
     * swish for Houlsby, as AdapterHub defines them), scaling 1.0, the adapter named {@code finetune}.
     */
    public static BottleneckConfig from(BottleneckSettings s) {
        return new BottleneckConfig(s.kind(), s.reductionFactor(), null, 1.0, "finetune");
    }

    public static BottleneckConfig pfeiffer() {
        return from(BottleneckSettings.DEFAULTS);
    }

    public static BottleneckConfig houlsby() {
        return from(new BottleneckSettings(AdapterKind.HOULSBY, BottleneckSettings.DEFAULT_REDUCTION_FACTOR));
    }

    /** The shared settings of this config. */
    public BottleneckSettings settings() {
        return new BottleneckSettings(kind, reductionFactor);
    }

    public BottleneckConfig withReductionFactor(int factor) {
        return new BottleneckConfig(kind, factor, nonLinearity, scaling, name);
    }

    @Override
    public Map<String, Object> hyperparameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("adapter_kind", kind.wireName());
        out.put("reduction_factor", reductionFactor);
        out.put("non_linearity", nonLinearity);
        return out;
    }

    public int bottleneckSize(int hiddenSize) {
        if (reductionFactor > hiddenSize) {
            throw new IllegalArgumentException("reduction_factor " + reductionFactor + " is larger than hidden_size "
                    + hiddenSize + ": the bottleneck would be empty");
        }
        return hiddenSize / reductionFactor;
    }
}
