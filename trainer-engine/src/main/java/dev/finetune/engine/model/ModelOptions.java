package dev.finetune.engine.model;

import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * How the frozen base model is held in memory.
 *
 * @param weights how the frozen projections are stored: {@link WeightStorage#DENSE} float32 (LoRA,
 *                adapters) or quantized ({@code Nf4Storage} 4-bit codes for QLoRA)
 * @param computeType float32 on CPU; float16 on GPU, where the frozen matmuls run in half precision
 */
public record ModelOptions(WeightStorage weights, DataType computeType) {

    public ModelOptions {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(computeType, "computeType");
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("computeType must be float32 or float16, got " + computeType);
        }
    }

    public static ModelOptions dense() {
        return of(WeightStorage.DENSE);
    }

    /** The given storage with float32 compute. */
    public static ModelOptions of(WeightStorage weights) {
        return new ModelOptions(weights, DataType.FLOAT32);
    }

    public ModelOptions withComputeType(DataType type) {
        return new ModelOptions(weights, type);
    }
}
