package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A frozen linear layer whose weight is held densely. With a float16 compute type the matmul
 * runs in half precision (the GPU path) while the residual stream stays float32, which is
 * what autocast does for linear layers.
 */
public final class DenseLinear implements Linear {

    private final NDArray weight;
    private final NDArray bias;
    private final NDArray computeWeight;
    private final DataType computeType;

    public DenseLinear(NDArray weight, NDArray bias, DataType computeType) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D, got " + weight.getShape());
        }
        this.weight = weight;
        this.bias = bias;
        this.computeType = computeType;
        this.computeWeight = computeType == DataType.FLOAT32 ? weight : weight.toType(computeType, false);
    }

    @Override
    public NDArray forward(NDArray x) {
        // torch's linear without a bias is matmul(x, W^T): the same numbers in one native call instead of two
        NDArray y;
        if (computeType == DataType.FLOAT32) {
            y = linear(x, weight);
        } else {
            y = linear(x.toType(computeType, false), computeWeight).toType(DataType.FLOAT32, false);
        }
        return bias == null ? y : y.add(bias);
    }

    /** {@code x W^T} as torch's {@code linear} without a bias: one native call, the numbers of matmul with the transpose. */
    public static NDArray linear(NDArray x, NDArray weight) {
        return ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow();
    }

    @Override
    public int inFeatures() {
        return (int) weight.getShape().get(1);
    }

    @Override
    public int outFeatures() {
        return (int) weight.getShape().get(0);
    }

    @Override
    public NDArray denseWeight() {
        return weight;
    }

    @Override
    public NDArray bias() {
        return bias;
    }

    @Override
    public long weightBytes() {
        return computeWeight == weight ? weight.size() * 4 : weight.size() * 4 + computeWeight.size() * 2;
    }

    @Override
    public void close() {
        weight.close();
        if (computeWeight != weight) {
            computeWeight.close();
        }
        if (bias != null) {
            bias.close();
        }
    }
}
