package dev.finetune.engine.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense row-major float tensor held in a Java array. The data array is not copied (tensors
 * can be large): treat it as owned by this record and do not modify it after construction
 * unless you own both. The shape is copied.
 */
public record HostTensor(long[] shape, float[] data) {

    public HostTensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long n = product(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("HostTensor shape " + Arrays.toString(shape)
                    + " has " + n + " elements but data has " + data.length);
        }
    }

    public static HostTensor of(long[] shape, float[] data) {
        return new HostTensor(shape, data);
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return data.length;
    }

    /** Element at a flat row-major index. */
    public float get(long flatIndex) {
        if (flatIndex < 0 || flatIndex >= data.length) {
            throw new IndexOutOfBoundsException("flat index " + flatIndex + " outside tensor of shape "
                    + Arrays.toString(shape) + " (" + data.length + " elements)");
        }
        return data[(int) flatIndex];
    }

    /** Product of the dimensions; rejects negative dimensions and overflow. */
    static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HostTensor[shape=").append(Arrays.toString(shape))
                .append(", numel=").append(data.length).append(", data=[");
        int shown = Math.min(data.length, 6);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(data[i]);
        }
        return sb.append(data.length > shown ? ", ...]]" : "]]").toString();
    }
}
