package dev.finetune.engine.bottleneck;

import dev.finetune.settings.AdapterKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.SublayerAdapter;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.peft.TrainableAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Bottleneck adapters in every decoder layer: Pfeiffer after the MLP, Houlsby after attention
 * and after the MLP. Weights are named as AdapterHub names them for Llama
 * ({@code model.layers.0.output_adapters.adapters.NAME.adapter_down.0.weight}); initialisation
 * follows AdapterHub's default "bert" scheme (normal(0, 0.02) weights, zero biases).
 *
 * <p>Unlike LoRA, an adapter adds sequential layers at inference time unless merged away, which
 * bottleneck adapters cannot be; that is the trade-off the dashboard explains.
 */
public final class BottleneckAdapter implements TrainableAdapter {

    private final LlamaModel model;
    private final BottleneckConfig config;
    private final List<BottleneckModule> modules;

    private BottleneckAdapter(LlamaModel model, BottleneckConfig config, List<BottleneckModule> modules) {
        this.model = model;
        this.config = config;
        this.modules = modules;
    }

    public static BottleneckAdapter attach(LlamaModel model, BottleneckConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NDManager m = model.manager();
        int hidden = model.config().hiddenSize();
        int bottleneck = config.bottleneckSize(hidden);
        return attach(model, config, prefix -> new NDArray[] {
            normal(m, random, new Shape(bottleneck, hidden)), m.zeros(new Shape(bottleneck)),
            normal(m, random, new Shape(hidden, bottleneck)), m.zeros(new Shape(hidden))});
    }

    static BottleneckAdapter attach(LlamaModel model, BottleneckConfig config, Function<String, NDArray[]> weights) {
        Activation act = Activation.parse(config.nonLinearity());
        List<BottleneckModule> modules = new ArrayList<>();
        for (DecoderLayer layer : model.layers()) {
            if (config.kind() == AdapterKind.HOULSBY) {
                BottleneckModule attn = module(prefix(layer.index(), "attention_adapters", config), weights, act, config);
                layer.setAfterAttention(attn);
                modules.add(attn);
            }
            BottleneckModule out = module(prefix(layer.index(), "output_adapters", config), weights, act, config);
            layer.setAfterFeedForward(out);
            modules.add(out);
        }
        return new BottleneckAdapter(model, config, modules);
    }

    private static BottleneckModule module(String prefix, Function<String, NDArray[]> weights, Activation act,
                                           BottleneckConfig config) {
        NDArray[] w = weights.apply(prefix);
        return new BottleneckModule(prefix, w[0], w[1], w[2], w[3], act, config.scaling());
    }

    static String prefix(int layer, String site, BottleneckConfig config) {
        return "model.layers." + layer + "." + site + ".adapters." + config.name() + ".";
    }

    private static NDArray normal(NDManager m, SplittableRandom random, Shape shape) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * 0.02);
        }
        return m.create(v, shape);
    }

    /** The module after layer {@code layer}'s attention (Houlsby), or null when this adapter has none there. */
    public SublayerAdapter afterAttention(int layer) {
        return find(layer, "attention_adapters");
    }

    /** The module after layer {@code layer}'s MLP. */
    public SublayerAdapter afterFeedForward(int layer) {
        return find(layer, "output_adapters");
    }

    private SublayerAdapter find(int layer, String site) {
        String prefix = prefix(layer, site, config);
        return modules.stream().filter(m -> m.prefix.equals(prefix)).findFirst().orElse(null);
    }

    /**
     * Frees the adapter's weights without touching the model's layers: serving has already taken the
     * modules off the layers and routes each batch row to its own adapter.
     */
    public void closeWeights() {
        modules.forEach(BottleneckModule::close);
    }

    public BottleneckConfig config() {
        return config;
    }

    LlamaModel model() {
        return model;
    }

    @Override
    public BottleneckMethod method() {
        return BottleneckMethod.INSTANCE;
    }

    @Override
    public List<NamedParameter> parameters() {
        List<NamedParameter> out = new ArrayList<>();
        for (BottleneckModule m : modules) {
            out.add(new NamedParameter(m.prefix + "adapter_down.0.weight", m.downWeight));
            out.add(new NamedParameter(m.prefix + "adapter_down.0.bias", m.downBias));
            out.add(new NamedParameter(m.prefix + "adapter_up.weight", m.upWeight));
            out.add(new NamedParameter(m.prefix + "adapter_up.bias", m.upBias));
        }
        return out;
    }

    @Override
    public void setTraining(boolean training) {
        // bottleneck adapters have no dropout by default (AdapterHub's dropout 0.0)
    }

    /** Detaches the adapters from the model's layers and frees their weights. */
    @Override
    public void close() {
        for (DecoderLayer layer : model.layers()) {
            layer.setAfterAttention(null);
            layer.setAfterFeedForward(null);
        }
        modules.forEach(BottleneckModule::close);
    }

    static Map<String, Object> describe(BottleneckConfig c) {
        boolean houlsby = c.kind() == AdapterKind.HOULSBY;
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("architecture", "bottleneck");
        json.put("mh_adapter", houlsby);
        json.put("output_adapter", true);
        json.put("reduction_factor", c.reductionFactor());
        json.put("non_linearity", c.nonLinearity());
        json.put("original_ln_before", !houlsby);
        json.put("original_ln_after", true);
        json.put("residual_before_ln", true);
        json.put("adapter_residual_before_ln", false);
        json.put("ln_before", false);
        json.put("ln_after", false);
        json.put("init_weights", "bert");
        json.put("is_parallel", false);
        json.put("scaling", c.scaling());
        json.put("use_gating", false);
        json.put("dropout", 0.0);
        json.put("leave_out", List.of());
        return json;
    }
}
