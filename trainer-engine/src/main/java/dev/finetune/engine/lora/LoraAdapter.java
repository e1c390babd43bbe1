package dev.finetune.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.peft.TrainableAdapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA attached to a model: one {@link LoraLinear} per targeted projection, with PEFT's
 * initialisation (A Kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in)); B zeros,
 * so the adapted model starts exactly at the base model; with DoRA the magnitude starts at the
 * row norms of the base weight, which keeps that true).
 */
public final class LoraAdapter implements TrainableAdapter {

    static final String PREFIX = "base_model.model.";

    private final LlamaModel model;
    private final LoraConfig config;
    private final Map<Projection, LoraLinear> layers;

    private LoraAdapter(LlamaModel model, LoraConfig config, Map<Projection, LoraLinear> layers) {
        this.model = model;
        this.config = config;
        this.layers = layers;
    }

    /** Wraps every targeted projection of {@code model}; fails if nothing matches. */
    public static LoraAdapter attach(LlamaModel model, LoraConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NDManager m = model.manager();
        Map<Projection, LoraLinear> layers = new LinkedHashMap<>();
        for (Target t : targets(model, config)) {
            Projection p = t.projection();
            int rank = config.rankFor(p.path());
            int in = p.linear().inFeatures();
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[rank * in];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (random.nextDouble() * 2 - 1) * bound;
            }
            NDArray loraA = m.create(a, new Shape(rank, in));
            NDArray loraB = m.zeros(new Shape(p.linear().outFeatures(), rank));
            layers.put(p, wrap(p, new LoraWeights(loraA, loraB, null), config, m));
        }
        return new LoraAdapter(model, config, layers);
    }

    /** Attaches LoRA with the given weights (loaded from an adapter directory). */
    static LoraAdapter attachWeights(LlamaModel model, LoraConfig config, Map<String, LoraWeights> weightsByPath) {
        Map<Projection, LoraLinear> layers = new LinkedHashMap<>();
        for (Target t : targets(model, config)) {
            LoraWeights w = weightsByPath.get(t.projection().path());
            if (w != null) {
                layers.put(t.projection(), wrap(t.projection(), w, config, model.manager()));
            }
        }
        return new LoraAdapter(model, config, layers);
    }

    /** One module's tensors: A, B and, for DoRA, the magnitude (null when it is to be initialised). */
    record LoraWeights(NDArray loraA, NDArray loraB, NDArray magnitude) {}

    private static LoraLinear wrap(Projection p, LoraWeights w, LoraConfig config, NDManager manager) {
        double scaling = config.scalingFor(p.path());
        LoraLinear lora = new LoraLinear(p.linear(), w.loraA(), w.loraB(), scaling, config.loraDropout(),
                variant(config, p, w, scaling, manager));
        p.replace(lora);
        return lora;
    }

    /** The one place that picks the variant: PEFT's {@code resolve_lora_variant}. */
    private static LoraVariant variant(LoraConfig config, Projection p, LoraWeights w, double scaling, NDManager manager) {
        if (!config.useDora()) {
            return PlainLora.INSTANCE;
        }
        return w.magnitude() != null ? new Dora(w.magnitude())
                : Dora.initialise(p.linear(), w.loraA(), w.loraB(), scaling, manager);
    }

    record Target(Projection projection, int layer) {}

    static List<Target> targets(LlamaModel model, LoraConfig config) {
        List<Target> out = new ArrayList<>();
        for (DecoderLayer layer : model.layers()) {
            for (Projection p : layer.projections()) {
                if (config.targets(p.path(), layer.index())) {
                    out.add(new Target(p, layer.index()));
                }
            }
        }
        if (config.targets("lm_head", -1) && !config.allLinear() && config.layersToTransform() == null) {
            out.add(new Target(model.lmHead(), -1));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + (config.targetRegex() != null ? config.targetRegex()
                    : config.targetModules()) + " match no linear layer of this model (its layers are q_proj, k_proj, "
                    + "v_proj, o_proj, gate_proj, up_proj, down_proj and lm_head)");
        }
        return out;
    }

    @Override
    public LoraMethod method() {
        return LoraMethod.INSTANCE;
    }

    public LoraConfig config() {
        return config;
    }

    public LlamaModel model() {
        return model;
    }

    public Map<Projection, LoraLinear> layers() {
        return layers;
    }

    @Override
    public List<NamedParameter> parameters() {
        List<NamedParameter> out = new ArrayList<>();
        layers.forEach((p, l) -> {
            out.add(new NamedParameter(PREFIX + p.path() + ".lora_A.weight", l.loraA()));
            out.add(new NamedParameter(PREFIX + p.path() + ".lora_B.weight", l.loraB()));
            l.variant().parameters().forEach((name, value) ->
                    out.add(new NamedParameter(PREFIX + p.path() + "." + name, value)));
        });
        return out;
    }

    @Override
    public void setTraining(boolean training) {
        layers.values().forEach(l -> l.setTraining(training));
    }

    /** Folds every update into its layer's weight (inference without LoRA overhead). */
    public void merge() {
        layers.values().forEach(LoraLinear::merge);
    }

    public void unmerge() {
        layers.values().forEach(LoraLinear::unmerge);
    }

    /**
     * Gives each projection back the layer it held before this adapter wrapped it, keeping the adapter's
     * weights: serving keeps several adapters' layers off the model and picks one per batch row.
     */
    public void detachFromModel() {
        layers.forEach((p, l) -> p.replace(l.base()));
    }

    /** Frees the adapter's tensors (after {@link #detachFromModel()}; {@link #close()} does both). */
    public void closeWeights() {
        layers.values().forEach(l -> {
            l.unmerge();
            l.loraA().close();
            l.loraB().close();
            l.variant().close();
        });
    }

    /** Removes the LoRA wrappers, giving the frozen base layers back to the model. */
    @Override
    public void close() {
        detachFromModel();
        closeWeights();
    }
}
