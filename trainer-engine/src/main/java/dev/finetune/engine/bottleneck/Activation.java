package dev.finetune.engine.bottleneck;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/** The non-linearities AdapterHub offers for bottleneck adapters, under its names. */
enum Activation {
    RELU("relu"),
    SWISH("swish"),
    GELU("gelu"),
    TANH("tanh");

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    static Activation parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "relu" -> RELU;
            case "swish", "silu" -> SWISH;
            case "gelu", "gelu_new" -> GELU;
            case "tanh" -> TANH;
            default -> throw new IllegalArgumentException("non_linearity must be relu, swish, gelu or tanh, got '" + value + "'");
        };
    }

    NDArray apply(NDArray x) {
        return switch (this) {
            case RELU -> ai.djl.nn.Activation.relu(x);
            case SWISH -> x.mul(ai.djl.nn.Activation.sigmoid(x));
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case TANH -> x.tanh();
        };
    }
}
