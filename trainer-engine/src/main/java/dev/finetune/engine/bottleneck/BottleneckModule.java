package dev.finetune.engine.bottleneck;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.model.SublayerAdapter;
import dev.finetune.engine.runtime.Scalars;

/**
 * One bottleneck: {@code out = x + scaling * up(act(down(x)))}, applied to a sublayer's output
 * before the residual add (AdapterHub's {@code residual_before_ln} for a pre-norm model).
 * {@code down} is {@code [bottleneck, hidden]}, {@code up} is {@code [hidden, bottleneck]}, both with bias.
 */
final class BottleneckModule implements SublayerAdapter {

    final String prefix;
    final NDArray downWeight;
    final NDArray downBias;
    final NDArray upWeight;
    final NDArray upBias;
    private final Activation activation;
    private final double scaling;
    /** {@link #scaling} as a libtorch-owned tensor: the backward of the output's mul keeps it ({@link Scalars}). */
    private final NDArray scalingTensor;

    BottleneckModule(String prefix, NDArray downWeight, NDArray downBias, NDArray upWeight, NDArray upBias,
                     Activation activation, double scaling) {
        this.prefix = prefix;
        this.downWeight = downWeight;
        this.downBias = downBias;
        this.upWeight = upWeight;
        this.upBias = upBias;
        this.activation = activation;
        this.scaling = scaling;
        this.scalingTensor = Scalars.of(upWeight.getManager(), scaling);
        for (NDArray p : new NDArray[] {downWeight, downBias, upWeight, upBias}) {
            p.setRequiresGradient(true);
        }
    }

    @Override
    public NDArray apply(NDArray x) {
        NDArray hidden = activation.apply(x.matMul(downWeight.transpose()).add(downBias));
        NDArray out = hidden.matMul(upWeight.transpose()).add(upBias);
        return x.add(scaling == 1.0 ? out : out.mul(scalingTensor));
    }

    void close() {
        scalingTensor.close();
        downWeight.close();
        downBias.close();
        upWeight.close();
        upBias.close();
    }
}
