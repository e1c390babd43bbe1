package dev.finetune.engine.bench;

import dev.finetune.engine.checkpoint.LlamaConfig;

/**
 * Model FLOPs of one LoRA/QLoRA training step (what the algorithm needs, not what the engine
 * executes: block recomputation's second forward is deliberately NOT counted).
 *
 * <pre>
 *   FLOPs/step = tokens * (4 * N_frozen + 6 * N_lora) + 12 * L * B * T^2 * d_attn
 * </pre>
 * <ul>
 *   <li>{@code N_frozen}: frozen matmul parameters = the seven projections of every block plus the
 *   output head (the embedding is a lookup, no FLOPs). Forward costs 2 FLOPs per parameter and
 *   token; the backward only needs the gradient w.r.t. the input of each frozen matmul (another
 *   2), not the weight gradient: 4 instead of the 6 of full training.</li>
 *   <li>{@code N_lora}: the adapter's A and B; they get weight gradients too: 6.</li>
 *   <li>attention scores {@code QK^T} and {@code PV}: 4 * T * d_attn per token and layer forward
 *   (full T x T, as the engine computes it), twice that backward (both operands are activations):
 *   12 * L * T * d_attn per token, i.e. the PaLM-paper attention term.</li>
 *   <li>norms, rotary, softmax, SwiGLU and the loss are elementwise and left out, as usual.</li>
 * </ul>
 */
record ModelFlops(long frozenMatmulParams, long loraParams, double perStep, double frozenPart, double loraPart,
                  double attentionPart) {

    static long frozenMatmulParams(LlamaConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        long perLayer = h * q + 2 * h * kv + q * h + 3 * h * inter;
        return perLayer * c.numHiddenLayers() + (long) c.vocabSize() * h;
    }

    static ModelFlops of(LlamaConfig c, long loraParams, int batch, int seq) {
        long n = frozenMatmulParams(c);
        double tokens = (double) batch * seq;
        double frozen = 4.0 * n * tokens;
        double lora = 6.0 * loraParams * tokens;
        double attention = 12.0 * c.numHiddenLayers() * batch * (double) seq * seq * c.numAttentionHeads() * c.headDim();
        return new ModelFlops(n, loraParams, frozen + lora + attention, frozen, lora, attention);
    }

    static final String FORMULA = "model FLOPs/step = tokens*(4*N_frozen + 6*N_lora) + 12*L*B*T^2*d_attn "
            + "(no weight gradients for frozen weights; recomputation not counted)";
}
