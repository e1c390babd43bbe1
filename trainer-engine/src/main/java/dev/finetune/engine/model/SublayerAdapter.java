package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A module inserted on the output of a sublayer (attention or MLP) before the residual add.
 * Bottleneck adapters (Houlsby, Pfeiffer) plug in here; the default is the identity.
 */
@FunctionalInterface
public interface SublayerAdapter {

    SublayerAdapter IDENTITY = x -> x;

    NDArray apply(NDArray sublayerOutput);
}
