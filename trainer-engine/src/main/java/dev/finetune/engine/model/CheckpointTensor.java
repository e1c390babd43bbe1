package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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

    /** How the source stores the values: float16 for a 16-bit (F16 or BF16) checkpoint tensor, else float32. */
    default DataType storedType() {
        return DataType.FLOAT32;
    }

    /**
     * The tensor as a float16 NDArray when the source is 16-bit ({@link #storedType()}), else float32. F16 values
     * are kept exactly; BF16 values are too unless they lie below float16's normal range ({@code |x| < 6.1e-5}),
     * which round to float16's subnormal grid (an absolute error of at most {@code 3e-8}). DJL 0.36's PyTorch
     * engine has no bfloat16 tensors, hence float16. A BF16 tensor with a value beyond float16's range
     * ({@code |x| > 65504}) stays float32 rather than holding infinities.
     */
    default NDArray uploadStored(NDManager manager) {
        NDArray wide = upload(manager);
        if (storedType() != DataType.FLOAT16) {
            return wide;
        }
        try (NDArray magnitudes = wide.abs(); NDArray largest = magnitudes.max()) {
            if (largest.getFloat() > HALF_MAX) {
                return wide;
            }
        }
        try (wide) {
            return wide.toType(DataType.FLOAT16, false);
        }
    }

    /** The largest finite float16 value. */
    float HALF_MAX = 65504f;

    /** A tensor already on the host (tests, the widen-on-host loader); uploaded as {@link ModelLoader} always did. */
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
