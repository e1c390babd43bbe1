package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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

    /**
     * The weight in full precision for one computation: where it has to be made (NF4) it is attached to
     * {@code target}, so it goes with that computation's manager or scope; a dense layer hands out its
     * stored weight. Either way the caller must neither modify nor close it.
     */
    default NDArray denseWeight(NDManager target) {
        return denseWeight();
    }

    /** The bias, or {@code null}. */
    NDArray bias();

    /** Bytes this layer keeps resident for its frozen weight (for memory reports). */
    long weightBytes();

    @Override
    void close();
}
