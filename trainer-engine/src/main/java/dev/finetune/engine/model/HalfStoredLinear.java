package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * A frozen linear layer without bias whose weight is held in float16 and computed in float32: the weight is widened a slice of output rows at a time, so no float32 copy
 * of the whole weight exists. Meant for the output head of a QLoRA model (a 32000 x 2048 head is 262 MB in
 * float32). Widening is exact, so the results are those of a float32 layer holding the same values.
 */
public final class HalfStoredLinear implements Linear {

    /** Output rows widened at once: 16 MB of float32 at a width of 1024. */
    static final int SLICE_ROWS = 4096;

    private final NDArray weight;
    private final int sliceRows;

    public HalfStoredLinear(NDArray weight) {
        this(weight, SLICE_ROWS);
    }

    /** With slices of {@code sliceRows} output rows (tests use small ones to cover uneven slicing). */
    HalfStoredLinear(NDArray weight, int sliceRows) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D, got " + weight.getShape());
        }
        if (weight.getDataType() != DataType.FLOAT16) {
            throw new IllegalArgumentException("a half-stored weight is float16, got " + weight.getDataType());
        }
        this.weight = weight;
        this.sliceRows = sliceRows;
    }

    /**
     * {@code x W^T} in float32, a slice of output features at a time (recorded by autograd like any op).
     * Each widened slice is closed once used: autograd keeps its own reference where it needs one, so
     * at most one float32 slice of the weight is alive at a time outside the graph.
     */
    @Override
    public NDArray forward(NDArray x) {
        int out = outFeatures();
        NDList parts = new NDList();
        for (int from = 0; from < out; from += sliceRows) {
            try (NDArray w = slice(from, Math.min(out, from + sliceRows))) {
                parts.add(DenseLinear.linear(x, w));
            }
        }
        if (parts.size() == 1) {
            return parts.head();
        }
        NDArray joined = NDArrays.concat(parts, -1);
        parts.close();
        return joined;
    }

    /**
     * The gradient of the input for an output gradient {@code g [N, out]}: {@code g W}, a slice of output
     * features at a time (the head's backward without autograd keeping widened weights).
     */
    public NDArray inputGradient(NDArray g) {
        int out = outFeatures();
        NDArray sum = null;
        for (int from = 0; from < out; from += sliceRows) {
            int to = Math.min(out, from + sliceRows);
            try (NDArray gs = g.get(new NDIndex(":, {}:{}", from, to)); NDArray w = slice(from, to)) {
                NDArray part = gs.matMul(w);
                if (sum == null) {
                    sum = part;
                } else {
                    sum.addi(part);
                    part.close();
                }
            }
        }
        return sum;
    }

    /** Rows {@code rows [N]} (int64) of the weight, widened: {@code [N, in]}. */
    public NDArray rows(NDArray rows) {
        return RotaryEmbedding.lookup(rows, weight).toType(DataType.FLOAT32, false);
    }

    /** Rows {@code from..to} of the weight widened to a new float32 array; the caller closes it. */
    private NDArray slice(int from, int to) {
        try (NDArray view = weight.get(new NDIndex("{}:{}", from, to))) {
            return view.toType(DataType.FLOAT32, false);
        }
    }

    @Override
    public int inFeatures() {
        return (int) weight.getShape().get(1);
    }

    @Override
    public int outFeatures() {
        return (int) weight.getShape().get(0);
    }

    /** The weight widened to float32, attached to the weight's manager (for merges: a one-off copy). */
    @Override
    public NDArray denseWeight() {
        return weight.toType(DataType.FLOAT32, false);
    }

    @Override
    public NDArray denseWeight(NDManager target) {
        NDArray w = weight.toType(DataType.FLOAT32, false);
        w.attach(target);
        return w;
    }

    @Override
    public NDArray bias() {
        return null;
    }

    @Override
    public long weightBytes() {
        return weight.size() * 2;
    }

    @Override
    public void close() {
        weight.close();
    }
}
