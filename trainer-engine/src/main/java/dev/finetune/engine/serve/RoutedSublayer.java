package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.model.SublayerAdapter;

/** The bottleneck site after one sublayer of a served base: each row gets its own adapter's module, or none. */
final class RoutedSublayer implements SublayerAdapter {

    private final String key;
    private final ServingModel.RoutingSlot slot;

    RoutedSublayer(String key, ServingModel.RoutingSlot slot) {
        this.key = key;
        this.slot = slot;
    }

    static String key(int layer, boolean afterAttention) {
        return layer + (afterAttention ? "/attention" : "/output");
    }

    String key() {
        return key;
    }

    @Override
    public NDArray apply(NDArray x) {
        Routing routing = slot.current;
        return routing == null ? x : routing.applyBottleneck(this, x);
    }
}
