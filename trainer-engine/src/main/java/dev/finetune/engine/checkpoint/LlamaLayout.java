package dev.finetune.engine.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tensor names and shapes of a Hugging Face Llama/Mistral/Qwen2 checkpoint for a config. */
final class LlamaLayout {

    static final String EMBED = "model.embed_tokens.weight";
    static final String LM_HEAD = "lm_head.weight";
    static final String NORM = "model.norm.weight";

    private LlamaLayout() {
    }

    /** Every per-layer tensor plus model.norm, in checkpoint order; embedding/lm_head excluded. */
    static Map<String, long[]> expectedShapes(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        boolean oBias = c.attentionBias() && !c.modelType().equals("qwen2");
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
            if (c.attentionBias()) {
                m.put(p + "self_attn.q_proj.bias", new long[] {q});
                m.put(p + "self_attn.k_proj.bias", new long[] {kv});
                m.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            if (oBias) {
                m.put(p + "self_attn.o_proj.bias", new long[] {h});
            }
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            m.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
            m.put(p + "mlp.up_proj.weight", new long[] {inter, h});
            m.put(p + "mlp.down_proj.weight", new long[] {h, inter});
            if (c.mlpBias()) {
                m.put(p + "mlp.gate_proj.bias", new long[] {inter});
                m.put(p + "mlp.up_proj.bias", new long[] {inter});
                m.put(p + "mlp.down_proj.bias", new long[] {h});
            }
        }
        m.put(NORM, new long[] {h});
        return m;
    }
}
