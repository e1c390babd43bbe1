package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Plain LoRA: {@code result = base(x) + lora_B(lora_A(dropout(x))) * scaling}; no state of its own. */
final class PlainLora implements LoraVariant {

    static final PlainLora INSTANCE = new PlainLora();

    private PlainLora() {}

    @Override
    public NDArray forward(LoraLinear layer, NDArray x, NDArray baseOutput) {
        return baseOutput.add(layer.update(layer.dropout(x)));
    }

    @Override
    public NDArray mergedWeight(LoraLinear layer) {
        return layer.base().denseWeight().add(layer.delta());
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of();
    }

    @Override
    public void close() {
        // nothing held
    }
}
