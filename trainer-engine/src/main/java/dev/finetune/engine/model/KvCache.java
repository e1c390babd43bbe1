package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the tokens seen so far, per layer, before grouped-query expansion
 * ({@code [B, kvHeads, S, headDim]}), so generation costs one new token per step instead of
 * re-running the whole prefix.
 */
public final class KvCache implements AutoCloseable {

    private final List<NDArray[]> layers = new ArrayList<>();
    private int length;

    public KvCache(int numLayers) {
        for (int i = 0; i < numLayers; i++) {
            layers.add(new NDArray[2]);
        }
    }

    /** Number of cached positions. */
    public int length() {
        return length;
    }

    /** Appends the new keys/values of {@code layer} and returns the full keys and values. */
    NDArray[] append(int layer, NDArray keys, NDArray values) {
        NDArray[] slot = layers.get(layer);
        NDArray fullK = slot[0] == null ? keys : slot[0].concat(keys, 2);
        NDArray fullV = slot[1] == null ? values : slot[1].concat(values, 2);
        if (slot[0] != null && slot[0] != fullK) {
            slot[0].close();
            slot[1].close();
        }
        // the cache outlives the step's scope and manager; it is closed with the cache
        NDScope.unregister(fullK, fullV);
        fullK.detach();
        fullV.detach();
        slot[0] = fullK;
        slot[1] = fullV;
        return slot;
    }

    /** Called once all layers have appended a step of {@code newTokens} positions. */
    void advance(int newTokens) {
        length += newTokens;
    }

    @Override
    public void close() {
        for (NDArray[] slot : layers) {
            if (slot[0] != null) {
                slot[0].close();
                slot[1].close();
            }
        }
    }
}
