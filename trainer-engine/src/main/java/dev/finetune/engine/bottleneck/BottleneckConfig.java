package dev.finetune.engine.bottleneck;

import java.util.Locale;

/**
 * Bottleneck adapter settings with AdapterHub's ({@code adapters} library) names and defaults.
 *
 * @param kind {@code PFEIFFER} ({@code seq_bn}: one adapter after the MLP) or {@code HOULSBY}
 *             ({@code double_seq_bn}: after attention and after the MLP)
 * @param reductionFactor bottleneck width is {@code hidden_size / reduction_factor} (16 by default)
 * @param nonLinearity activation between down- and up-projection: relu (Pfeiffer's default), swish (Houlsby's), gelu, tanh
 * @param scaling multiplier on the adapter output (1.0)
 * @param name the adapter's name inside the saved weights
 */
public record BottleneckConfig(Kind kind, int reductionFactor, String nonLinearity, double scaling, String name) {

    public enum Kind {
        PFEIFFER("seq_bn"),
        HOULSBY("double_seq_bn");

        private final String architecture;

        Kind(String architecture) {
            this.architecture = architecture;
        }

        public String architecture() {
            return architecture;
        }

        public static Kind parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "pfeiffer", "seq_bn" -> PFEIFFER;
                case "houlsby", "double_seq_bn" -> HOULSBY;
                default -> throw new IllegalArgumentException("adapter kind must be pfeiffer or houlsby, got '" + value + "'");
            };
        }
    }

    public BottleneckConfig {
        if (kind == null) {
            throw new IllegalArgumentException("adapter kind must be pfeiffer or houlsby");
        }
        if (reductionFactor <= 0) {
            throw new IllegalArgumentException("reduction_factor must be > 0, got " + reductionFactor);
        }
        nonLinearity = Activation.parse(nonLinearity == null ? kind == Kind.PFEIFFER ? "relu" : "swish" : nonLinearity).id();
        if (!(scaling > 0)) {
            throw new IllegalArgumentException("scaling must be > 0, got " + scaling);
        }
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("adapter name must be 1-64 letters, digits, '_' or '-', got '" + name + "'");
        }
    }

    public static BottleneckConfig pfeiffer() {
        return new BottleneckConfig(Kind.PFEIFFER, 16, "relu", 1.0, "finetune");
    }

    public static BottleneckConfig houlsby() {
        return new BottleneckConfig(Kind.HOULSBY, 16, "swish", 1.0, "finetune");
    }

    public BottleneckConfig withReductionFactor(int factor) {
        return new BottleneckConfig(kind, factor, nonLinearity, scaling, name);
    }

    public int bottleneckSize(int hiddenSize) {
        if (reductionFactor > hiddenSize) {
            throw new IllegalArgumentException("reduction_factor " + reductionFactor + " is larger than hidden_size "
                    + hiddenSize + ": the bottleneck would be empty");
        }
        return hiddenSize / reductionFactor;
    }
}
