package dev.finetune.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.model.Linear;

/**
 * A frozen linear layer stored as 4-bit NF4 codes (QLoRA). The dense weight only exists for
 * the duration of one forward: it is dequantized on the fly, used, and released with the
 * step's scope, so resident memory stays near the 4-bit footprint.
 */
final class Nf4Linear implements Linear {

    private final Nf4Weight weight;
    private final NDArray bias;
    private final DataType computeType;
    private final int in;
    private final int out;

    Nf4Linear(Nf4Weight weight, NDArray bias, DataType computeType) {
        long[] shape = weight.shape();
        this.weight = weight;
        this.bias = bias;
        this.computeType = computeType;
        this.out = (int) shape[0];
        this.in = (int) shape[1];
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray w = weight.dequantize(x.getManager());
        NDArray y = computeType == DataType.FLOAT32
                ? x.matMul(w.transpose())
                : x.toType(computeType, false).matMul(w.transpose()).toType(DataType.FLOAT32, false);
        return bias == null ? y : y.add(bias);
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public NDArray denseWeight() {
        return weight.dequantize().toType(DataType.FLOAT32, false);
    }

    @Override
    public NDArray denseWeight(NDManager target) {
        return weight.dequantize(target).toType(DataType.FLOAT32, false);
    }

    @Override
    public NDArray bias() {
        return bias;
    }

    @Override
    public long weightBytes() {
        return weight.deviceBytes();
    }

    @Override
    public void close() {
        weight.close();
        if (bias != null) {
            bias.close();
        }
    }
}
