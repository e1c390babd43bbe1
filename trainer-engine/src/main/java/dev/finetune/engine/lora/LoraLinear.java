package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.model.DenseLinear;
import dev.finetune.engine.model.Linear;

/**
 * A frozen base layer plus a trainable low-rank update, as PEFT computes it:
 * {@code result = base(x) + lora_B(lora_A(dropout(x))) * scaling}.
 *
 * <p>{@code A} is {@code [r, in]}, {@code B} is {@code [out, r]}. Merging folds
 * {@code scaling * B A} into a full-precision copy of the base weight (for an NF4 base, into the
 * dequantized weight, so merged and unmerged outputs agree); unmerging returns to the frozen base.
 */
public final class LoraLinear implements Linear {

    private final Linear base;
    private final NDArray loraA;
    private final NDArray loraB;
    private final double scaling;
    private final float dropout;
    private boolean training;
    private DenseLinear merged;

    LoraLinear(Linear base, NDArray loraA, NDArray loraB, double scaling, double dropout) {
        this.base = base;
        this.loraA = loraA;
        this.loraB = loraB;
        this.scaling = scaling;
        this.dropout = (float) dropout;
        loraA.setRequiresGradient(true);
        loraB.setRequiresGradient(true);
    }

    @Override
    public NDArray forward(NDArray x) {
        if (merged != null) {
            return merged.forward(x);
        }
        NDArray input = training && dropout > 0
                ? x.getNDArrayInternal().dropout(x, dropout, true).singletonOrThrow()
                : x;
        // scaling the rank-r intermediate instead of the output is the same math on r/out of the elements
        NDArray update = input.matMul(loraA.transpose()).mul(scaling).matMul(loraB.transpose());
        return base.forward(x).add(update);
    }

    public Linear base() {
        return base;
    }

    public NDArray loraA() {
        return loraA;
    }

    public NDArray loraB() {
        return loraB;
    }

    public double scaling() {
        return scaling;
    }

    public int rank() {
        return (int) loraA.getShape().get(0);
    }

    public boolean isMerged() {
        return merged != null;
    }

    void setTraining(boolean training) {
        this.training = training;
    }

    /** The merged weight {@code W + scaling * B A} in float32. */
    public NDArray mergedWeight() {
        NDArray delta = loraB.stopGradient().matMul(loraA.stopGradient()).mul(scaling);
        return base.denseWeight().add(delta);
    }

    void merge() {
        if (merged == null) {
            merged = new DenseLinear(mergedWeight(), base.bias() == null ? null : base.bias().duplicate(),
                    ai.djl.ndarray.types.DataType.FLOAT32);
        }
    }

    void unmerge() {
        if (merged != null) {
            merged.close();
            merged = null;
        }
    }

    @Override
    public int inFeatures() {
        return base.inFeatures();
    }

    @Override
    public int outFeatures() {
        return base.outFeatures();
    }

    @Override
    public NDArray denseWeight() {
        return merged != null ? merged.denseWeight() : base.denseWeight();
    }

    @Override
    public NDArray bias() {
        return base.bias();
    }

    @Override
    public long weightBytes() {
        return base.weightBytes() + (merged == null ? 0 : merged.weightBytes());
    }

    @Override
    public void close() {
        unmerge();
        loraA.close();
        loraB.close();
        base.close();
    }
}
