package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HostTensor;

/**
 * How {@link ModelLoader} holds each frozen projection of the base model: {@link #DENSE} float32
 * weights, or a quantized form (NF4 for QLoRA: {@code dev.finetune.engine.quant.Nf4Storage}).
 * Embeddings, norms and the output head are always dense, as bitsandbytes does. A new quantization
 * is one implementation of this interface in its own package; the adapter methods never see it,
 * since every {@link Linear} can hand out its weight in full precision.
 */
public interface WeightStorage {

    /** Float32 weights as the checkpoint has them (LoRA, bottleneck adapters, inference). */
    WeightStorage DENSE = new DenseStorage();

    /** Lower-case name shown to people ({@code dense}, {@code nf4}). */
    String name();

    /**
     * The frozen layer for one projection's host weight ({@code [out, in]}).
     *
     * @param bias the projection's bias already on the device, or null
     * @param computeType float32, or float16 for the frozen matmuls on a GPU
     */
    Linear hold(HostTensor weight, NDArray bias, NDManager manager, DataType computeType);

    /**
     * The frozen layer for one projection on its way from the checkpoint. The default widens the
     * weight on the host and calls {@link #hold(HostTensor, NDArray, NDManager, DataType)} (what a
     * quantizer needs); {@link #DENSE} streams it straight into a native float32 array instead.
     */
    default Linear hold(CheckpointTensor weight, NDArray bias, NDManager manager, DataType computeType) {
        return hold(weight.toHost(), bias, manager, computeType);
    }
}
