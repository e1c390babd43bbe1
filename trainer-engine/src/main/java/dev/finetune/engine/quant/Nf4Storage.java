package dev.finetune.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.model.Linear;
import dev.finetune.engine.model.WeightStorage;
import java.util.Objects;

/**
 * QLoRA's base-weight storage: every frozen projection quantized to 4-bit NF4 codes while the
 * checkpoint loads ({@link Nf4Tensor}), and dequantized inside each forward ({@link Nf4Linear}).
 *
 * @param options blocksize and double quantization (bitsandbytes defaults in {@link #DEFAULT})
 */
public record Nf4Storage(Nf4Options options) implements WeightStorage {

    /** bitsandbytes' QLoRA setting: blocksize 64 with double quantization of the scales. */
    public static final Nf4Storage DEFAULT = new Nf4Storage(Nf4Options.DEFAULT);

    public Nf4Storage {
        Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return "nf4";
    }

    @Override
    public Linear hold(HostTensor weight, NDArray bias, NDManager manager, DataType computeType) {
        Nf4Tensor codes = Nf4Tensor.quantize(weight.shape(), weight.data(), options);
        return new Nf4Linear(Nf4Weight.upload(codes, manager, computeType), bias, computeType);
    }
}
