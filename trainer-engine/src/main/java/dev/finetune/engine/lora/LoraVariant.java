package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * How a {@link LoraLinear} turns its low-rank factors into an output and into a merged weight:
 * PEFT's {@code LoraVariant}. {@link PlainLora} adds {@code B A x * scaling}; {@link Dora} also
 * rescales every output feature to a trained magnitude. A further variant is one more
 * implementation here, not a branch inside the layer.
 */
sealed interface LoraVariant permits PlainLora, Dora {

    /** The layer's output for {@code x}, given the frozen base's output {@code baseOutput = base(x)} (with bias). */
    NDArray forward(LoraLinear layer, NDArray x, NDArray baseOutput);

    /**
     * The one dense weight ({@code [out, in]}, float32) whose output equals {@link #forward} without dropout,
     * computed from the layer's full-precision (for NF4: dequantized) base weight.
     */
    NDArray mergedWeight(LoraLinear layer);

    /** The variant's own trainable tensors by the name PEFT gives them after the module path. */
    Map<String, NDArray> parameters();

    void close();
}
