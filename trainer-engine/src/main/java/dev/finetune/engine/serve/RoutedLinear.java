package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.model.Linear;

/**
 * A frozen projection of a served base: the base matmul runs once for the whole batch, then the current
 * {@link Routing} adds each row's own LoRA update (none for base rows and bottleneck rows).
 */
final class RoutedLinear implements Linear {

    private final String path;
    private final Linear base;
    private final ServingModel.RoutingSlot slot;

    RoutedLinear(String path, Linear base, ServingModel.RoutingSlot slot) {
        this.path = path;
        this.base = base;
        this.slot = slot;
    }

    String path() {
        return path;
    }

    Linear base() {
        return base;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = base.forward(x);
        Routing routing = slot.current;
        return routing == null ? y : routing.applyLora(this, x, y);
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
        return base.denseWeight();
    }

    @Override
    public NDArray denseWeight(NDManager target) {
        return base.denseWeight(target);
    }

    @Override
    public NDArray bias() {
        return base.bias();
    }

    @Override
    public long weightBytes() {
        return base.weightBytes();
    }

    @Override
    public void close() {
        base.close();
    }
}
