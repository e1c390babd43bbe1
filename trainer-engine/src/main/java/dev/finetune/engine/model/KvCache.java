package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the tokens seen so far, per layer, before grouped-query expansion
 * ({@code [B, kvHeads, S, headDim]}), so generation costs one new token per step instead of
 * re-running the whole prefix.
 *
 * <p>Each layer's keys and values live in one buffer per layer, allocated at the first append with
 * room for {@code capacity} positions (doubling when a caller outgrows it) and written in place, so a
 * step allocates nothing that outlives it. What {@link #append} returns is a view of the filled part
 * that belongs to the caller's step: the step's {@link NDScope} (or the new keys' manager) releases it,
 * never the cache. (The cache used to concatenate each step into a fresh tensor; the views that
 * attention took of it landed on no step's manager, kept every step's full copy alive, and generation
 * grew by the whole cache each token.)
 */
public final class KvCache implements AutoCloseable {

    private final List<NDArray[]> layers = new ArrayList<>();
    private NDManager manager;
    private int capacity;
    private int length;

    /** A cache that sizes itself on first use and grows by doubling. */
    public KvCache(int numLayers) {
        this(numLayers, 0);
    }

    /** A cache with room for {@code capacity} positions up front (prompt plus new tokens): it never reallocates. */
    public KvCache(int numLayers, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        for (int i = 0; i < numLayers; i++) {
            layers.add(new NDArray[2]);
        }
        this.capacity = capacity;
    }

    /** Number of cached positions. */
    public int length() {
        return length;
    }

    /** Positions the buffers hold without growing. */
    public int capacity() {
        return capacity;
    }

    /** Appends the new keys/values of {@code layer} and returns views of the full keys and values. */
    NDArray[] append(int layer, NDArray keys, NDArray values) {
        int added = (int) keys.getShape().get(2);
        int end = length + added;
        NDArray[] slot = layers.get(layer);
        if (slot[0] == null || slot[0].getShape().get(2) < end) {
            grow(slot, keys, end);
        }
        NDIndex fresh = new NDIndex(":, :, {}:{}, :", length, end);
        slot[0].set(fresh, keys);
        slot[1].set(fresh, values);
        NDIndex filled = new NDIndex(":, :, :{}, :", end);
        NDArray k = slot[0].get(filled);
        NDArray v = slot[1].get(filled);
        // the views go with the step (its scope and manager), the buffers stay with the cache
        k.attach(keys.getManager());
        v.attach(keys.getManager());
        return new NDArray[] {k, v};
    }

    private void grow(NDArray[] slot, NDArray keys, int needed) {
        if (manager == null) {
            manager = NDManager.newBaseManager(keys.getDevice());
        }
        int size = Math.max(needed, Math.max(capacity, slot[0] == null ? 0 : (int) slot[0].getShape().get(2) * 2));
        Shape s = keys.getShape();
        Shape shape = new Shape(s.get(0), s.get(1), size, s.get(3));
        NDArray k = manager.zeros(shape, keys.getDataType());
        NDArray v = manager.zeros(shape, keys.getDataType());
        NDScope.unregister(k, v);
        if (slot[0] != null) {
            NDIndex old = new NDIndex(":, :, :{}, :", length);
            try (NDArray oldK = slot[0].get(old); NDArray oldV = slot[1].get(old)) {
                k.set(old, oldK);
                v.set(old, oldV);
            }
            slot[0].close();
            slot[1].close();
        }
        slot[0] = k;
        slot[1] = v;
        capacity = Math.max(capacity, size);
    }

    /** Called once all layers have appended a step of {@code newTokens} positions. */
    void advance(int newTokens) {
        length += newTokens;
    }

    /** Bytes the buffers hold now (0 before the first append). */
    public long bytes() {
        long bytes = 0;
        for (NDArray[] slot : layers) {
            if (slot[0] != null) {
                bytes += 2 * slot[0].size() * slot[0].getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        for (NDArray[] slot : layers) {
            if (slot[0] != null) {
                slot[0].close();
                slot[1].close();
                slot[0] = null;
                slot[1] = null;
            }
        }
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}
