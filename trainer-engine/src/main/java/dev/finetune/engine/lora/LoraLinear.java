package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.model.DenseLinear;
import dev.finetune.engine.model.Linear;
import dev.finetune.engine.runtime.Dropout;
import dev.finetune.engine.runtime.Scalars;

/**
 * A frozen base layer plus a trainable low-rank update, as PEFT computes it:
 * {@code result = base(x) + lora_B(lora_A(dropout(x))) * scaling} for plain LoRA; its
 * {@link LoraVariant} (plain, or {@link Dora}) decides how the factors make the output.
 *
 * <p>{@code A} is {@code [r, in]}, {@code B} is {@code [out, r]}. Merging folds the update into a
 * full-precision copy of the base weight (for an NF4 base, into the dequantized weight, so merged and
 * unmerged outputs agree); the frozen base is never modified, so unmerging restores it exactly.
 */
public final class LoraLinear implements Linear {

    private final Linear base;
    private final NDArray loraA;
    private final NDArray loraB;
    private final double scaling;
    /** {@link #scaling} as a libtorch-owned tensor: the backward of the update's mul keeps it ({@link Scalars}). */
    private final NDArray scalingTensor;
    private final float dropout;
    private final LoraVariant variant;
    private boolean training;
    private DenseLinear merged;

    LoraLinear(Linear base, NDArray loraA, NDArray loraB, double scaling, double dropout, LoraVariant variant) {
        this.base = base;
        this.loraA = loraA;
        this.loraB = loraB;
        this.scaling = scaling;
        this.scalingTensor = Scalars.of(loraA.getManager(), scaling);
        this.dropout = (float) dropout;
        this.variant = variant;
        loraA.setRequiresGradient(true);
        loraB.setRequiresGradient(true);
    }

    @Override
    public NDArray forward(NDArray x) {
        if (merged != null) {
            return merged.forward(x);
        }
        return variant.forward(this, x, base.forward(x));
    }

    /**
     * This layer's output for {@code x} when the frozen base's output {@code baseOutput = base(x)} is already
     * computed (serving computes it once for a batch whose rows use different adapters).
     */
    public NDArray forwardGivenBase(NDArray x, NDArray baseOutput) {
        return variant.forward(this, x, baseOutput);
    }

    /** Whether the update is plain {@code B A x * scaling} (not DoRA), so rows can gather A and B into one batched matmul. */
    public boolean isPlain() {
        return variant instanceof PlainLora;
    }

    /** Whether dropout applies to the LoRA input now (training with a dropout above 0). */
    boolean dropoutActive() {
        return training && dropout > 0;
    }

    /** {@code dropout(x)} while training, {@code x} itself otherwise. */
    NDArray dropout(NDArray x) {
        return dropoutActive() ? Dropout.apply(x, dropout) : x;
    }

    /** {@code lora_B(lora_A(input)) * scaling}. */
    NDArray update(NDArray input) {
        // scaling the rank-r intermediate instead of the output is the same math on r/out of the elements; torch's
        // linear without a bias is matmul(x, W^T), the same numbers in one native call instead of two
        NDArray hidden = DenseLinear.linear(input, loraA).mul(scalingTensor);
        return DenseLinear.linear(hidden, loraB);
    }

    /** {@code scaling * B A} ({@code [out, in]}), detached from the gradient graph. */
    NDArray delta() {
        return loraB.stopGradient().matMul(loraA.stopGradient()).mul(scaling);
    }

    LoraVariant variant() {
        return variant;
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

    void setTraining(boolean training) {
        this.training = training;
    }

    /**
     * The merged weight in float32: {@code W + scaling * B A} for plain LoRA, DoRA's rescaled
     * {@code m * (W + scaling * B A) / ||W + scaling * B A||} for DoRA. Temporaries (an NF4 base's
     * dequantized weight) are released here; the result belongs to the caller.
     */
    public NDArray mergedWeight() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray weight = variant.mergedWeight(this);
            NDScope.unregister(weight);
            return weight;
        }
    }

    void merge() {
        if (merged == null) {
            merged = new DenseLinear(mergedWeight(), base.bias() == null ? null : base.bias().duplicate(),
                    DataType.FLOAT32);
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
        scalingTensor.close();
        variant.close();
        base.close();
    }
}
