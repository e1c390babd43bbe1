package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.runtime.Scalars;

/** Llama's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * weight}, computed in float32. */
public final class RmsNorm implements AutoCloseable {

    private final NDArray weight;
    /** eps and the exponent -1 as libtorch-owned tensors: the backward of pow keeps its exponent ({@link Scalars}). */
    private final NDArray eps;
    private final NDArray minusOne;

    public RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = Scalars.of(weight.getManager(), eps);
        this.minusOne = Scalars.of(weight.getManager(), -1);
    }

    public NDArray forward(NDArray x) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(eps).sqrt().pow(minusOne)).mul(weight);
    }

    public NDArray weight() {
        return weight;
    }

    @Override
    public void close() {
        weight.close();
        eps.close();
        minusOne.close();
    }
}
