package dev.finetune.engine.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor entry of a safetensors header: its dtype, shape and byte range
 * {@code [begin, end)} relative to the start of the file's data section.
 */
public record TensorInfo(String name, TensorDType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar of shape {@code []}). */
    public long numel() {
        return HostTensor.product(shape);
    }

    /** Length of the byte range. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtype + " " + Arrays.toString(shape)
                + " bytes " + begin + ".." + end + "]";
    }
}
