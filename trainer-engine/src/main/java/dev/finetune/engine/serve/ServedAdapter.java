package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.bottleneck.BottleneckAdapter;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraLinear;
import dev.finetune.engine.model.SublayerAdapter;
import dev.finetune.engine.peft.TrainableAdapter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * An adapter loaded next to a {@link ServingModel}'s base: its weights live off the model's layers, and each
 * batch row that names it gets its update. Identity is the handle itself (two loads of one directory are two
 * adapters).
 */
public final class ServedAdapter {

    private final String name;
    private final String method;
    private final long bytes;
    private final int rank;
    final ServingModel owner;
    final TrainableAdapter weights;
    /** LoRA layers by module path; empty for a bottleneck adapter. */
    final Map<String, LoraLinear> lora;
    /** Bottleneck modules by {@link RoutedSublayer#key()}; empty for LoRA. */
    final Map<String, SublayerAdapter> bottleneck;
    /** Stacked LoRA factors per group of projections sharing an input ({@link Routing}), built on first use. */
    private final Map<RoutedLinear.Group, NDArray[]> fused = new HashMap<>();
    private NDManager fusedManager;
    private int users;
    private boolean unloading;
    private boolean freed;

    ServedAdapter(String name, String method, long bytes, int rank, ServingModel owner, TrainableAdapter weights,
                  Map<String, LoraLinear> lora, Map<String, SublayerAdapter> bottleneck) {
        this.name = name;
        this.method = method;
        this.bytes = bytes;
        this.rank = rank;
        this.owner = owner;
        this.weights = weights;
        this.lora = lora;
        this.bottleneck = bottleneck;
    }

    static ServedAdapter of(String name, TrainableAdapter adapter, ServingModel owner,
                            Map<String, SublayerAdapter> bottleneck) {
        Map<String, LoraLinear> lora = new HashMap<>();
        String method = adapter.method().name();
        int rank = 0;
        if (adapter instanceof LoraAdapter l) {
            l.layers().forEach((p, layer) -> lora.put(p.path(), layer));
            method = l.config().useDora() ? "dora" : "lora";
            rank = l.layers().values().stream().mapToInt(LoraLinear::rank).max().orElse(0);
        } else if (!(adapter instanceof BottleneckAdapter)) {
            throw new IllegalArgumentException("cannot serve a " + adapter.method().name() + " adapter");
        }
        return new ServedAdapter(name, method, adapter.parameterCount() * 4, rank, owner, adapter, lora, bottleneck);
    }

    /** The name given to {@link ServingModel#loadAdapter}. */
    public String name() {
        return name;
    }

    /** {@code lora}, {@code dora} or {@code bottleneck}. */
    public String method() {
        return method;
    }

    /** Bytes of its weights (float32). */
    public long bytes() {
        return bytes;
    }

    /** The LoRA rank (the largest, when modules differ); 0 for a bottleneck adapter. */
    public int rank() {
        return rank;
    }

    /** Whether {@link ServingModel#unloadAdapter} was called for it. */
    public synchronized boolean unloaded() {
        return unloading;
    }

    synchronized void acquire() {
        if (unloading) {
            throw new IllegalStateException("adapter '" + name + "' was unloaded");
        }
        users++;
    }

    /** @return whether the weights are to be freed now (unloaded and no generation uses them) */
    synchronized boolean release() {
        users--;
        return unloading && users == 0 && markFreed();
    }

    /** @return whether the weights are to be freed now */
    synchronized boolean unload() {
        unloading = true;
        return users == 0 && markFreed();
    }

    private boolean markFreed() {
        if (freed) {
            return false;
        }
        freed = true;
        return true;
    }

    /** This adapter's stacked factors for {@code group}, built on {@code build}'s manager the first time. */
    synchronized NDArray[] fusedFactors(RoutedLinear.Group group, Function<NDManager, NDArray[]> build) {
        NDArray[] factors = fused.get(group);
        if (factors == null) {
            if (fusedManager == null) {
                LoraLinear any = lora.values().iterator().next();
                fusedManager = NDManager.newBaseManager(any.loraA().getDevice());
            }
            factors = build.apply(fusedManager);
            fused.put(group, factors);
        }
        return factors;
    }

    /** Frees the stacked factors (with the adapter's weights). */
    synchronized void closeFused() {
        fused.clear();
        if (fusedManager != null) {
            fusedManager.close();
            fusedManager = null;
        }
    }

    @Override
    public String toString() {
        return "ServedAdapter[" + name + ", " + method + (rank > 0 ? ", r=" + rank : "") + ", " + bytes + " bytes]";
    }
}
