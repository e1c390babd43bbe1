package dev.finetune.settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The widths of a Llama-family base model that bound the method settings: a LoRA rank above a
 * targeted layer's width adds parameters but no capacity, a target module the model does not have
 * adapts nothing, and a bottleneck reduction factor above the hidden size leaves an empty bottleneck.
 * The API checks a job against its base model's {@code config.json} at submit; the worker checks it
 * again before any download, with the same rules.
 *
 * @param headDim width of one attention head ({@code hidden_size / num_attention_heads} unless the
 *        config says otherwise)
 */
public record ModelShape(int hiddenSize, int numAttentionHeads, int numKeyValueHeads, int headDim,
                         int intermediateSize, int vocabSize) {

    /** The linear layers of a Llama decoder layer, as PEFT names them: what {@code all-linear} targets. */
    public static final List<String> LAYERS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    /**
     * The shape in a Hugging Face {@code config.json} (or the summary of one the platform keeps);
     * empty when a width is missing, so an incomplete summary checks nothing rather than refusing.
     */
    public static Optional<ModelShape> fromConfig(Map<String, ?> config) {
        Integer hidden = integer(config, "hidden_size");
        Integer heads = integer(config, "num_attention_heads");
        Integer intermediate = integer(config, "intermediate_size");
        Integer vocab = integer(config, "vocab_size");
        if (hidden == null || heads == null || heads == 0 || intermediate == null || vocab == null) {
            return Optional.empty();
        }
        Integer kvHeads = integer(config, "num_key_value_heads");
        Integer headDim = integer(config, "head_dim");
        return Optional.of(new ModelShape(hidden, heads, kvHeads == null ? heads : kvHeads,
                headDim == null ? hidden / heads : headDim, intermediate, vocab));
    }

    /** min(in, out) of each layer LoRA can target: the decoder layers' projections and the output head. */
    public Map<String, Integer> layerWidths() {
        int q = numAttentionHeads * headDim;
        int kv = numKeyValueHeads * headDim;
        Map<String, Integer> widths = new LinkedHashMap<>();
        widths.put("q_proj", Math.min(hiddenSize, q));
        widths.put("k_proj", Math.min(hiddenSize, kv));
        widths.put("v_proj", Math.min(hiddenSize, kv));
        widths.put("o_proj", Math.min(hiddenSize, q));
        widths.put("gate_proj", Math.min(hiddenSize, intermediateSize));
        widths.put("up_proj", Math.min(hiddenSize, intermediateSize));
        widths.put("down_proj", Math.min(hiddenSize, intermediateSize));
        widths.put("lm_head", Math.min(hiddenSize, vocabSize));
        return widths;
    }

    /** Refuses method settings this model cannot take, naming the setting. */
    public void check(MethodSettings settings) {
        if (settings instanceof BottleneckSettings bottleneck) {
            if (bottleneck.reductionFactor() > hiddenSize) {
                throw new InvalidSettingException("adapter_reduction_factor", "must be <= the model's hidden_size "
                        + hiddenSize + " (or the bottleneck is empty) but was " + bottleneck.reductionFactor());
            }
        } else if (settings instanceof LoraSettings lora) {
            Map<String, Integer> widths = layerWidths();
            List<String> targets = lora.targetModules().allLinear() ? LAYERS : lora.targetModules().names();
            for (String target : targets) {
                if (!widths.containsKey(target)) {
                    throw new InvalidSettingException("target_modules", "names '" + target
                            + "', which this model does not have; its layers are " + widths.keySet() + " (or all-linear)");
                }
            }
            int limit = targets.stream().mapToInt(widths::get).min().orElse(Integer.MAX_VALUE);
            if (lora.r() > limit) {
                throw new InvalidSettingException("lora_r", "must be <= " + limit + ", the smallest width of the "
                        + "targeted layers " + targets + " of this model (hidden_size " + hiddenSize + "), but was "
                        + lora.r() + ": a rank above a layer's width adds parameters but no capacity (8 to 64 is typical)");
            }
        }
    }

    private static Integer integer(Map<String, ?> config, String key) {
        Object value = config.get(key);
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() > 0) {
            return n.intValue();
        }
        return null;
    }
}
