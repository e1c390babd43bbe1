package dev.finetune.engine.serve;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.data.Turn;
import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.bottleneck.BottleneckAdapter;
import dev.finetune.engine.checkpoint.CheckpointException;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.model.SublayerAdapter;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.TrainableAdapter;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.settings.FineTuningMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A base model loaded once for serving, with any number of adapters attached side by side: every frozen
 * projection and every bottleneck site of the base is wrapped once, and a {@link Decoder} tells them which
 * adapter each batch row uses, so rows on different adapters share the base matmuls. Adapters never modify
 * the base: one that does not fit is refused with an {@link AdapterLoadException}, never served as the base.
 *
 * <p>Thread-safe: forwards (one per decoder step) and adapter loads take the model's lock in turn.
 */
public final class ServingModel implements AutoCloseable {

    /** The routing of the forward now running, read by every wrapped layer; written under {@link #lock}. */
    static final class RoutingSlot {
        volatile Routing current;
    }

    private final TextTokenizer tokenizer;
    private final NDManager manager;
    private final LlamaModel model;
    private final BasePrecision precision;
    private final String fingerprint;
    private final ServedAdapter merged;
    private final String device;
    final ReentrantLock lock = new ReentrantLock();
    final RoutingSlot slot = new RoutingSlot();
    private final Set<ServedAdapter> adapters = new LinkedHashSet<>();
    private final List<Decoder> decoders = new ArrayList<>();
    private final Map<String, RoutedSublayer> sites = new HashMap<>();
    private boolean closed;

    private ServingModel(TextTokenizer tokenizer, NDManager manager, LlamaModel model, BasePrecision precision,
                         String device, TrainableAdapter mergedAdapter, String mergedName) {
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.model = model;
        this.precision = precision;
        this.device = device;
        this.fingerprint = BaseModelRef.fingerprint(model);
        if (mergedAdapter == null) {
            this.merged = null;
            for (Projection p : model.allProjections()) {
                p.replace(new RoutedLinear(p.path(), p.linear(), slot));
            }
            for (DecoderLayer layer : model.layers()) {
                // Hugging Face order q, k, v, o, gate, up, down: q/k/v read one input, gate/up another; o and down
                // are groups of one, so their LoRA takes the same path (scaling folded into B)
                List<Projection> p = layer.projections();
                RoutedLinear.group(routed(p.get(0)), routed(p.get(1)), routed(p.get(2)));
                RoutedLinear.group(routed(p.get(3)));
                RoutedLinear.group(routed(p.get(4)), routed(p.get(5)));
                RoutedLinear.group(routed(p.get(6)));
            }
            for (DecoderLayer layer : model.layers()) {
                sites.put(RoutedSublayer.key(layer.index(), true), new RoutedSublayer(RoutedSublayer.key(layer.index(), true), slot));
                sites.put(RoutedSublayer.key(layer.index(), false), new RoutedSublayer(RoutedSublayer.key(layer.index(), false), slot));
            }
            installSites();
        } else {
            this.merged = ServedAdapter.of(mergedName, mergedAdapter, this, Map.of());
        }
    }

    private static RoutedLinear routed(Projection p) {
        return (RoutedLinear) p.linear();
    }

    /**
     * Loads the base once.
     *
     * @param baseModelDir a Hugging Face checkpoint directory (config, safetensors, tokenizer)
     * @param precision {@link BasePrecision#NF4} builds the base exactly as QLoRA trains it
     * @param device {@code cpu}, {@code cuda} or {@code cuda:N} (float16 compute on a GPU)
     */
    public static ServingModel load(Path baseModelDir, BasePrecision precision, String device) {
        Objects.requireNonNull(precision, "precision");
        return open(baseModelDir, precision, device, null);
    }

    /**
     * Merged mode: the LoRA (or DoRA) adapter in {@code adapterDir} folded into a dense base, which then runs
     * at the base's speed. Requests pass no adapter (or {@link #mergedAdapter()}); {@link #loadAdapter} is refused.
     *
     * @throws AdapterLoadException when the adapter cannot be read, does not fit the base, or cannot be merged
     */
    public static ServingModel loadMerged(Path baseModelDir, Path adapterDir, String device) {
        Objects.requireNonNull(adapterDir, "adapterDir");
        return open(baseModelDir, BasePrecision.DENSE, device, adapterDir);
    }

    private static ServingModel open(Path dir, BasePrecision precision, String device, Path mergeDir) {
        EngineRuntime.init();
        String dev = device == null || device.isBlank() ? "cpu" : device;
        AdapterMethod mergeMethod = null;
        if (mergeDir != null) {
            mergeMethod = AdapterMethods.detect(mergeDir);
            if (!mergeMethod.mergeable()) {
                throw new AdapterLoadException(mergeDir + " holds a " + mergeMethod.name() + " adapter, which cannot be "
                        + "served merged: " + mergeMethod.mergeRefusal().orElse(""));
            }
        }
        TextTokenizer tokenizer = HfTokenizer.load(dir);
        NDManager manager = null;
        LlamaModel model = null;
        try {
            manager = EngineRuntime.newManager(dev);
            WeightStorage storage = precision == BasePrecision.NF4
                    ? AdapterMethods.of(FineTuningMethod.QLORA).baseWeights() : WeightStorage.DENSE;
            ModelOptions options = ModelOptions.of(storage);
            if (dev.startsWith("cuda")) {
                options = options.withComputeType(DataType.FLOAT16);
            }
            try (HfCheckpoint checkpoint = HfCheckpoint.open(dir)) {
                model = ModelLoader.load(checkpoint, manager, options);
            }
            TrainableAdapter mergedAdapter = null;
            if (mergeMethod != null) {
                mergedAdapter = loadChecked(mergeMethod, mergeDir, model);
                ((LoraAdapter) mergedAdapter).merge();
            }
            return new ServingModel(tokenizer, manager, model, precision, dev, mergedAdapter,
                    mergeDir == null ? null : String.valueOf(mergeDir.getFileName()));
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            if (manager != null) {
                manager.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    public BasePrecision precision() {
        return precision;
    }

    /** {@code cpu}, {@code cuda:0}, ... */
    public String device() {
        return device;
    }

    /** The fingerprint of the base weights that adapters record when they are saved ({@link BaseModelRef}). */
    public String baseFingerprint() {
        return fingerprint;
    }

    /** The adapter folded into the base in merged mode, null otherwise. */
    public ServedAdapter mergedAdapter() {
        return merged;
    }

    public boolean merged() {
        return merged != null;
    }

    /** The messages through the checkpoint's chat template with the generation prompt, BOS as training adds it. */
    public int[] encodeChat(List<Turn> messages) {
        return AdapterInference.chatPromptIds(tokenizer, messages);
    }

    /** A plain completion prompt, as {@code AdapterInference.generate(prompt, options, false)} encodes it. */
    public int[] encodePrompt(String prompt) {
        return AdapterInference.promptIds(tokenizer, prompt == null ? "" : prompt, false);
    }

    /** Ids to text, special tokens dropped. */
    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** The most positions a sequence (prompt and generated tokens) can have. */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /** Bytes one cached position takes across all layers (keys and values, float32). */
    public long kvBytesPerPosition() {
        var c = model.config();
        return 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * 4;
    }

    public int eosId() {
        return tokenizer.eosId();
    }

    TextTokenizer tokenizer() {
        return tokenizer;
    }

    LlamaModel model() {
        return model;
    }

    /** The adapters loaded now. */
    public List<ServedAdapter> adapters() {
        synchronized (adapters) {
            return List.copyOf(adapters);
        }
    }

    /**
     * Loads a PEFT LoRA/DoRA or AdapterHub bottleneck directory next to the base (the layout picks the method).
     *
     * @throws AdapterLoadException when the directory cannot be read, holds no adapter this engine loads, was
     *     trained on another base (weights fingerprint, shapes, module names), or targets no module of this base
     */
    public ServedAdapter loadAdapter(String name, Path adapterDir) {
        Objects.requireNonNull(name, "name");
        if (merged != null) {
            throw new IllegalStateException("this model serves adapter '" + merged.name() + "' merged into the base; "
                    + "load other adapters into a ServingModel.load(...) instead");
        }
        AdapterMethod method = AdapterMethods.detect(adapterDir);
        lock.lock();
        try {
            ensureOpen();
            TrainableAdapter loaded;
            try {
                loaded = loadChecked(method, adapterDir, model);
            } finally {
                restoreRouting();
            }
            Map<String, SublayerAdapter> bottleneck = new HashMap<>();
            if (loaded instanceof LoraAdapter lora) {
                lora.detachFromModel();
            } else if (loaded instanceof BottleneckAdapter b) {
                for (DecoderLayer layer : model.layers()) {
                    put(bottleneck, RoutedSublayer.key(layer.index(), true), b.afterAttention(layer.index()));
                    put(bottleneck, RoutedSublayer.key(layer.index(), false), b.afterFeedForward(layer.index()));
                }
            }
            ServedAdapter served = ServedAdapter.of(name, loaded, this, bottleneck);
            synchronized (adapters) {
                adapters.add(served);
            }
            return served;
        } finally {
            lock.unlock();
        }
    }

    private static void put(Map<String, SublayerAdapter> map, String key, SublayerAdapter module) {
        if (module != null) {
            map.put(key, module);
        }
    }

    /** The method's loader, with every failure an {@link AdapterLoadException} and an empty adapter refused. */
    private static TrainableAdapter loadChecked(AdapterMethod method, Path dir, LlamaModel model) {
        TrainableAdapter loaded;
        try {
            loaded = method.load(dir, model);
        } catch (AdapterLoadException e) {
            throw e;
        } catch (IllegalArgumentException | CheckpointException e) {
            throw new AdapterLoadException(dir + ": " + e.getMessage(), e);
        }
        loaded.setTraining(false);
        if (loaded instanceof LoraAdapter lora && lora.layers().isEmpty()) {
            lora.close();
            throw new AdapterLoadException("adapter in " + dir + " targets no module of this base model (target_modules "
                    + lora.config().targetModules() + " matched no layer that has weights in the file)");
        }
        return loaded;
    }

    /** After a loader attached an adapter to the model itself: the routed wrappers go back in place. */
    private void restoreRouting() {
        installSites();
    }

    private void installSites() {
        for (DecoderLayer layer : model.layers()) {
            layer.setAfterAttention(sites.get(RoutedSublayer.key(layer.index(), true)));
            layer.setAfterFeedForward(sites.get(RoutedSublayer.key(layer.index(), false)));
        }
    }

    /**
     * Unloads an adapter: new requests naming it are refused at once, and its tensors are freed as soon as no
     * running generation uses it.
     */
    public void unloadAdapter(ServedAdapter adapter) {
        if (adapter.owner != this) {
            throw new IllegalArgumentException(adapter + " was not loaded by this model");
        }
        if (adapter.unload()) {
            free(adapter);
        }
    }

    /** A generation that used {@code adapter} ended. */
    void release(ServedAdapter adapter) {
        if (adapter != null && adapter != merged && adapter.release()) {
            free(adapter);
        }
    }

    private void free(ServedAdapter adapter) {
        lock.lock();
        try {
            synchronized (adapters) {
                adapters.remove(adapter);
            }
            adapter.closeFused();
            if (adapter.weights instanceof LoraAdapter lora) {
                lora.closeWeights();
            } else if (adapter.weights instanceof BottleneckAdapter b) {
                b.closeWeights();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A continuous-batching decoder on this model (each with its own thread, KV budget and rows). */
    public Decoder decoder(DecoderOptions options) {
        synchronized (decoders) {
            ensureOpen();
            Decoder decoder = new Decoder(this, options);
            decoders.add(decoder);
            return decoder;
        }
    }

    void forget(Decoder decoder) {
        synchronized (decoders) {
            decoders.remove(decoder);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this serving model is closed");
        }
    }

    @Override
    public void close() {
        List<Decoder> open;
        synchronized (decoders) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(decoders);
        }
        open.forEach(Decoder::close);
        lock.lock();
        try {
            for (ServedAdapter a : adapters()) {
                a.closeFused();
                if (a.weights instanceof LoraAdapter lora) {
                    lora.closeWeights();
                } else if (a.weights instanceof BottleneckAdapter b) {
                    b.closeWeights();
                }
            }
            model.close();
            manager.close();
            tokenizer.close();
        } finally {
            lock.unlock();
        }
    }
}
