package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.HostTensor;

/**
 * One frozen tensor of the base model on its way from the checkpoint into memory, before the
 * {@link WeightStorage} has decided how to hold it. A storage that keeps the weight dense calls
 * {@link #upload}, which (for a checkpoint) streams the tensor into a natively allocated float32
 * array chunk by chunk, with no float copy of it on the Java heap and no direct buffer the size of
 * the tensor kept alive behind the array; a storage that quantizes on the host calls
 * {@link #toHost} and gets the widened floats of this one tensor.
 */
public interface CheckpointTensor {

    /** Row-major shape, e.g. {@code [out, in]} for a projection. */
    long[] shape();

    /** The tensor widened to float32 on the Java heap (one tensor at a time). */
    HostTensor toHost();

    /** The tensor as a float32 NDArray owned by {@code manager}. */
    NDArray upload(NDManager manager);

    /** A tensor already on the host (random models, tests); uploaded as {@link ModelLoader} always did. */
    static CheckpointTensor of(HostTensor tensor) {
        return new CheckpointTensor() {
            @Override
            public long[] shape() {
                return tensor.shape();
            }

            @Override
            public HostTensor toHost() {
                return tensor;
            }

            @Override
            public NDArray upload(NDManager manager) {
                return ModelLoader.upload(manager, tensor);
            }
        };
    }
}
