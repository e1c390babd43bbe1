package dev.finetune.engine.model;

import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * How the frozen base model is held in memory.
 *
 * @param weights        how the frozen projections are stored: {@link WeightStorage#DENSE} float32 (LoRA,
 *                       adapters) or quantized ({@code Nf4Storage} 4-bit codes for QLoRA)
 * @param computeType    float32 on CPU; float16 on GPU, where the frozen matmuls run in half precision
 * @param halfEmbeddings hold the frozen embedding and output head of a 16-bit checkpoint (F16 or BF16) in float16
 *                       instead of widening them to float32 (exact but for BF16 values below float16's normal
 *                       range: {@link CheckpointTensor#uploadStored}); a float32 checkpoint keeps float32. QLoRA
 *                       training turns it on: at a 32 k vocabulary these two tensors are most of an NF4 model's
 *                       memory. The head is then widened a slice of the vocabulary at a time
 *                       ({@link HalfStoredLinear})
 */
public record ModelOptions(WeightStorage weights, DataType computeType, boolean halfEmbeddings) {

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
        return new ModelOptions(weights, DataType.FLOAT32, false);
    }

    public ModelOptions withComputeType(DataType type) {
        return new ModelOptions(weights, type, halfEmbeddings);
    }

    public ModelOptions withHalfEmbeddings(boolean on) {
        return new ModelOptions(weights, computeType, on);
    }
}
