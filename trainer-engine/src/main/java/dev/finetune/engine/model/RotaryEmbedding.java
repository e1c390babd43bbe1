package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: the first and second halves
 * of each head are the two coordinates of the rotated pairs,
 * {@code q' = q * cos + rotate_half(q) * sin} with {@code rotate_half(x) = [-x2, x1]}.
 * The cos/sin tables are precomputed once (in double precision, then stored as float32) for
 * every position up to {@code max_position_embeddings}.
 */
public final class RotaryEmbedding implements AutoCloseable {

    private final NDArray cosTable;
    private final NDArray sinTable;
    /** {@code [D, D]}: {@code x R = rotate_half(x) = [-x2, x1]}, one matmul instead of two slices, a neg and a concat. */
    private final NDArray rotation;
    private final int headDim;
    private final int maxPositions;

    public RotaryEmbedding(NDManager manager, int headDim, int maxPositions, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        int half = headDim / 2;
        float[] cos = new float[maxPositions * headDim];
        float[] sin = new float[maxPositions * headDim];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double invFreq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
                double angle = p * invFreq;
                cos[p * headDim + i] = (float) Math.cos(angle);
                cos[p * headDim + i + half] = (float) Math.cos(angle);
                sin[p * headDim + i] = (float) Math.sin(angle);
                sin[p * headDim + i + half] = (float) Math.sin(angle);
            }
        }
        this.cosTable = manager.create(cos, new Shape(maxPositions, headDim));
        this.sinTable = manager.create(sin, new Shape(maxPositions, headDim));
        float[] r = new float[headDim * headDim];
        for (int i = 0; i < half; i++) {
            r[(i + half) * headDim + i] = -1f;
            r[i * headDim + i + half] = 1f;
        }
        this.rotation = manager.create(r, new Shape(headDim, headDim));
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** cos and sin for the given positions {@code [B, T]} (int64), shaped {@code [B, 1, T, D]}. */
    public NDList tablesFor(NDArray positions) {
        NDArray cos = lookup(positions, cosTable).expandDims(1);
        NDArray sin = lookup(positions, sinTable).expandDims(1);
        return new NDList(cos, sin);
    }

    /** Applies the rotation to {@code x} of shape {@code [B, H, T, D]}. */
    public NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int half = headDim / 2;
        NDArray x1 = x.get("..., :" + half);
        NDArray x2 = x.get("..., " + half + ":");
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /**
     * {@link #apply} in four operations for the decode path: {@code rotate_half(x)} as a matmul with a signed
     * permutation (each output is one input times +-1 plus exact zeros), so the values are bit for bit the same.
     */
    public NDArray applyDecode(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotation).mul(sin));
    }

    static NDArray lookup(NDArray indices, NDArray table) {
        return indices.getNDArrayInternal().embedding(indices, table, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    public void close() {
        cosTable.close();
        sinTable.close();
        rotation.close();
    }
}
