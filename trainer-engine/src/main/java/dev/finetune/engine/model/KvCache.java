package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
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
        return append(layer, keys, values, length + (int) keys.getShape().get(2));
    }

    /**
     * Appends like {@link #append(int, NDArray, NDArray)} and returns the keys and values padded to {@code view}
     * positions (at least the filled length): a view of the buffer when it is that long, whose positions past the
     * filled length are still zero, else the filled part followed by zeros.
     */
    private NDArray[] append(int layer, NDArray keys, NDArray values, int view) {
        int added = (int) keys.getShape().get(2);
        int end = length + added;
        NDArray[] slot = layers.get(layer);
        if (slot[0] == null || slot[0].getShape().get(2) < end) {
            grow(slot, keys, end);
        }
        NDIndex fresh = new NDIndex().addAllDim(2).addSliceDim(length, end);
        slot[0].set(fresh, keys);
        slot[1].set(fresh, values);
        int shown = (int) Math.min(view, slot[0].getShape().get(2));
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, shown);
        NDArray k = slot[0].get(filled);
        NDArray v = slot[1].get(filled);
        // the views go with the step (its scope and manager), the buffers stay with the cache
        k.attach(keys.getManager());
        v.attach(keys.getManager());
        if (shown < view) {
            Shape s = k.getShape();
            NDArray zeros = keys.getManager().zeros(new Shape(s.get(0), s.get(1), view - shown, s.get(3)), k.getDataType());
            k = k.concat(zeros, 2);
            v = v.concat(zeros, 2);
        }
        return new NDArray[] {k, v};
    }

    /**
     * One decode step of a continuous batch at {@code layer}: row {@code b} of {@code keys}/{@code values}
     * ({@code [B, kvHeads, 1, D]}) goes to {@code caches.get(b)}, and every row's keys and values come back as one
     * batch {@code [B, kvHeads, S, D]} padded to the longest row, with the additive mask {@code [B, 1, 1, S]} that
     * hides each row's padding (null when no row is padded).
     */
    static NDArray[] appendRows(List<KvCache> caches, int layer, NDArray keys, NDArray values) {
        int rows = caches.size();
        if (rows == 1) {
            NDArray[] kv = caches.get(0).append(layer, keys, values);
            return new NDArray[] {kv[0], kv[1], null};
        }
        int longest = 0;
        for (KvCache c : caches) {
            longest = Math.max(longest, c.length + 1);
        }
        NDList newKeys = keys.split(rows, 0);
        NDList newValues = values.split(rows, 0);
        NDList fullKeys = new NDList(rows);
        NDList fullValues = new NDList(rows);
        float[] mask = new float[rows * longest];
        boolean padded = false;
        for (int b = 0; b < rows; b++) {
            KvCache cache = caches.get(b);
            NDArray[] kv = cache.append(layer, newKeys.get(b), newValues.get(b), longest);
            fullKeys.add(kv[0]);
            fullValues.add(kv[1]);
            int end = cache.length + 1;
            if (end < longest) {
                padded = true;
                Arrays.fill(mask, b * longest + end, (b + 1) * longest, AttentionMask.MASKED);
            }
        }
        NDManager step = keys.getManager();
        return new NDArray[] {NDArrays.concat(fullKeys, 0), NDArrays.concat(fullValues, 0),
            padded ? step.create(mask, new Shape(rows, 1, 1, longest)) : null};
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
