package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;

/** Llama's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * weight}, computed in float32. */
public final class RmsNorm implements AutoCloseable {

    private final NDArray weight;
    private final float eps;

    public RmsNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(eps).sqrt().pow(-1)).mul(weight);
    }

    public NDArray weight() {
        return weight;
    }

    @Override
    public void close() {
        weight.close();
    }
}
