package dev.finetune.engine.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars as 0-dim tensors whose memory libtorch owns, for every operation whose backward keeps its scalar operand.
 *
 * <p>DJL's {@code NDArray.mul(Number)} (and {@code div}, {@code pow}, ...) wraps the number in a 0-dim tensor over a
 * Java direct buffer ({@code from_blob}, not owned by libtorch), applies the tensor operation and closes that
 * wrapper at once. Autograd keeps the 0-dim tensor for the backward of {@code mul}, {@code div} and {@code pow};
 * once the garbage collector frees the buffer, the backward reads freed memory: NaN or huge gradients, but only
 * when a collection falls between a forward and its backward, so it showed as rare non-finite steps and flaky
 * exact-resume checks until Java-side work between operations made collections frequent
 * ({@code GcDuringStepTest} forces them). A tensor from here lives as long as libtorch references it.
 */
public final class Scalars {

    private Scalars() {}

    /** A float32 0-dim tensor holding {@code value}, allocated by libtorch on {@code manager}'s device. */
    public static NDArray of(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }
}
