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
    private Group group;
    private int member;

    /**
     * Projections of one layer that read the same input (q/k/v; gate/up; o and down alone): {@link Routing} computes
     * their LoRA updates together, one matmul through their stacked A factors and one through their block-diagonal B.
     */
    static final class Group {
        final RoutedLinear[] members;

        private Group(RoutedLinear[] members) {
            this.members = members;
        }
    }

    /** Declares that {@code members} always read the same input, in this order. */
    static void group(RoutedLinear... members) {
        Group g = new Group(members);
        for (int i = 0; i < members.length; i++) {
            members[i].group = g;
            members[i].member = i;
        }
    }

    RoutedLinear(String path, Linear base, ServingModel.RoutingSlot slot) {
        this.path = path;
        this.base = base;
        this.slot = slot;
    }

    String path() {
        return path;
    }

    /** Its group of projections sharing an input, or null. */
    Group group() {
        return group;
    }

    /** Its index in {@link #group()}. */
    int member() {
        return member;
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
