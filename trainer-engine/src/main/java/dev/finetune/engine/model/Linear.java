package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A linear map {@code y = x W^T + b} over the last axis, as Hugging Face's {@code nn.Linear}
 * stores it: the weight is {@code [out, in]}.
 *
 * <p>Frozen base weights come in two storages (dense and NF4); LoRA wraps either. Every
 * implementation can hand out its weight in full precision so that merging is exact.
 */
public interface Linear extends AutoCloseable {

    NDArray forward(NDArray x);

    int inFeatures();

    int outFeatures();

    /** The weight in full precision ({@code [out, in]}, float32); for NF4 it is dequantized. */
    NDArray denseWeight();

    /** The bias, or {@code null}. */
    NDArray bias();

    /** Bytes this layer keeps resident for its frozen weight (for memory reports). */
    long weightBytes();

    @Override
    void close();
}
