package dev.finetune.engine.model;

import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.quant.Nf4Options;
import java.util.Objects;

/**
 * How the frozen base model is held in memory.
 *
 * @param weightFormat {@code DENSE} float32 weights (LoRA, adapters) or {@code NF4} 4-bit codes (QLoRA)
 * @param nf4 quantization settings when {@code NF4} (bitsandbytes defaults: blocksize 64, double quant)
 * @param computeType float32 on CPU; float16 on GPU, where the frozen matmuls run in half precision
 */
public record ModelOptions(WeightFormat weightFormat, Nf4Options nf4, DataType computeType) {

    public enum WeightFormat { DENSE, NF4 }

    public ModelOptions {
        Objects.requireNonNull(weightFormat, "weightFormat");
        Objects.requireNonNull(computeType, "computeType");
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("computeType must be float32 or float16, got " + computeType);
        }
        if (nf4 == null) {
            nf4 = Nf4Options.DEFAULT;
        }
    }

    public static ModelOptions dense() {
        return new ModelOptions(WeightFormat.DENSE, Nf4Options.DEFAULT, DataType.FLOAT32);
    }

    public static ModelOptions quantizedNf4() {
        return new ModelOptions(WeightFormat.NF4, Nf4Options.DEFAULT, DataType.FLOAT32);
    }

    public ModelOptions withComputeType(DataType type) {
        return new ModelOptions(weightFormat, nf4, type);
    }
}
