package dev.finetune.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.model.FusedAttention;
import dev.finetune.engine.quant.Nf4Options;
import dev.finetune.engine.quant.Nf4Tensor;
import dev.finetune.engine.quant.Nf4Weight;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Forward costs of the pieces of one decoder block at the benchmark's shape, each op sequence
 * written exactly as the engine's model code writes it (autograd off, best of a few runs), plus
 * a few alternative formulations so that suggested engine changes come with a measured effect.
 */
final class OpProfile {

    record Op(String name, double millis, double gflop, String note) {
        double gflops() {
            return gflop / (millis / 1e3);
        }
    }

    private OpProfile() {}

    /** The ops, preceded by a fresh 2048^3 matmul rate (its GFLOP/s in {@code gflop}, time 1 s). */
    static List<Op> measure(BenchSettings s) {
        LlamaConfig c = s.config();
        int b = s.batch();
        int t = s.seq();
        int h = c.hiddenSize();
        int heads = c.numAttentionHeads();
        int kv = c.numKeyValueHeads();
        int d = c.headDim();
        int inter = c.intermediateSize();
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("fp32 matmul 2048^3 right before these ops", 1000, MatmulPeak.measure(2048, 5).bestGflops(), ""));
        EngineRuntime.noGrad(() -> {
            try (NDManager m = EngineRuntime.newManager("cpu")) {
                NDArray x = m.randomNormal(0, 1, new Shape(b, t, h), DataType.FLOAT32);
                int[][] shapes = {{heads * d, h}, {kv * d, h}, {kv * d, h}, {h, heads * d}, {inter, h}, {inter, h},
                    {h, inter}};
                String[] names = {"q", "k", "v", "o", "gate", "up", "down"};
                double projMs = 0;
                double projFlop = 0;
                double dequantMs = 0;
                double dequantInt32Ms = 0;
                double dequantIdxMs = 0;
                long numelBlock = 0;
                for (int i = 0; i < shapes.length; i++) {
                    int out = shapes[i][0];
                    int in = shapes[i][1];
                    NDArray w = m.randomNormal(0, 0.02f, new Shape(out, in), DataType.FLOAT32);
                    NDArray xin = in == h ? x : m.randomNormal(0, 1, new Shape(b, t, in), DataType.FLOAT32);
                    projMs += best(() -> xin.matMul(w.transpose()));
                    projFlop += 2.0 * b * t * in * out;
                    float[] host = gaussian(out * in, 0.02, i);
                    Nf4Tensor q = Nf4Tensor.quantize(new long[] {out, in}, host, Nf4Options.DEFAULT);
                    try (Nf4Weight nw = Nf4Weight.upload(q, m, DataType.FLOAT32)) {
                        dequantMs += best(nw::dequantize);
                    }
                    // Nf4Weight.dequantize's steps on the same codes (block scales precomputed: they cost ~0.2 ms),
                    // once with the row gather it uses today and once with torch.embedding as the gather
                    NDArray codes = m.create(java.nio.ByteBuffer.wrap(q.packedCodes()), new Shape(q.packedCodes().length),
                            DataType.UINT8);
                    NDArray table = pairTable(m);
                    int blocks = (int) ((long) out * in / 64);
                    NDArray scales = m.randomNormal(new Shape(blocks, 1));
                    long[] wShape = {out, in};
                    dequantIdxMs += best(() -> table.get(codes.toType(DataType.INT64, false)).reshape(blocks, 64)
                            .muli(scales).reshape(new Shape(wShape)));
                    dequantInt32Ms += best(() -> {
                        NDArray idx = codes.toType(DataType.INT64, false);
                        return idx.getNDArrayInternal().embedding(idx, table, SparseFormat.DENSE).singletonOrThrow()
                                .reshape(blocks, 64).muli(scales).reshape(new Shape(wShape));
                    });
                    numelBlock += (long) out * in;
                }
                ops.add(new Op("7 projection matmuls (x W^T)", projMs, projFlop / 1e9, "per block"));
                ops.add(new Op("NF4 dequantize, 7 weights (Nf4Weight.dequantize)", dequantMs, 0,
                        String.format(Locale.ROOT, "per block, %.1f M params; twice per step per block with recompute",
                                numelBlock / 1e6)));
                ops.add(new Op("  replica: int64 index, pairTable.get(idx), scale in place", dequantIdxMs, 0,
                        "the same ops outside Nf4Weight"));
                ops.add(new Op("  alt: int64 index, torch.embedding(idx, pairTable), scale in place", dequantInt32Ms, 0,
                        "identical values; only the gather op differs"));
                NDArray head = m.randomNormal(0, 0.02f, new Shape(c.vocabSize(), h), DataType.FLOAT32);
                ops.add(new Op("lm_head matmul", best(() -> x.matMul(head.transpose())), 2.0 * b * t * h * c.vocabSize() / 1e9,
                        "once per step"));
                NDArray logits = m.randomNormal(new Shape(b, t, c.vocabSize()));
                ops.add(new Op("loss: logits[:, :-1].logSoftmax(-1)", best(() -> logits.get(":, :-1, :").logSoftmax(-1)), 0,
                        String.format(Locale.ROOT, "%.0f MB logits", b * t * (double) c.vocabSize() * 4 / 1e6)));

                NDArray q = m.randomNormal(new Shape(b, heads, t, d));
                NDArray k = m.randomNormal(new Shape(b, kv, t, d));
                NDArray v = m.randomNormal(new Shape(b, kv, t, d));
                NDArray mask = causal(m, b, t);
                double attnFlop = 4.0 * b * heads * (double) t * t * d / 1e9;
                int rep = heads / kv;
                ops.add(new Op("attention core, textbook (before issue 15)", best(() -> {
                    NDArray kk = repeat(k, b, kv, rep, t, d);
                    NDArray vv = repeat(v, b, kv, rep, t, d);
                    NDArray scores = q.matMul(kk.transpose(0, 1, 3, 2)).div(Math.sqrt(d)).add(mask);
                    return scores.softmax(-1).matMul(vv).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
                }), attnFlop, "repeat_kv copies, scale on T x T scores, additive mask, softmax"));
                NDArray rawScores = mask.add(q.matMul(q.transpose(0, 1, 3, 2)));
                ops.add(new Op("  of which softmax(-1) on [B,H,T,T]", best(() -> rawScores.softmax(-1)), 0, ""));
                ops.add(new Op("attention core grouped (Attention.grouped until the fused kernel): no repeat_kv, scale folded into q", best(() -> {
                    NDArray qg = q.mul(1.0 / Math.sqrt(d)).reshape(b, kv, (long) rep * t, d);
                    NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).reshape(b, kv, rep, t, t);
                    scores.addi(mask.expandDims(1));
                    NDArray probs = scores.softmax(-1).reshape(b, kv, (long) rep * t, t);
                    return probs.matMul(v).reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
                }), attnFlop, "same result, no K/V copies, 2 fewer T x T allocations"));
                ops.add(new Op("attention core as in Attention.forward: FusedAttention (libtorch's fused kernel)",
                        best(() -> FusedAttention.attend(q, k, v, mask).reshape(b, t, (long) heads * d)), attnFlop,
                        "TorchScript: KV heads repeated, one scaled_dot_product_attention"));

                NDArray normW = m.ones(new Shape(h));
                ops.add(new Op("RmsNorm (x2 per block)", 2 * best(() -> {
                    NDArray variance = x.square().mean(new int[] {-1}, true);
                    return x.mul(variance.add(1e-5f).sqrt().pow(-1)).mul(normW);
                }), 0, "6 elementwise passes each"));
                NDArray cos = m.randomNormal(new Shape(b, 1, t, d));
                NDArray sin = m.randomNormal(new Shape(b, 1, t, d));
                ops.add(new Op("rotary on q and k", best(() -> {
                    rope(q, cos, sin, d);
                    return rope(k, cos, sin, d);
                }), 0, "slice, neg, concat, 2 mul, add"));
                NDArray g = m.randomNormal(new Shape(b, t, inter));
                NDArray u = m.randomNormal(new Shape(b, t, inter));
                ops.add(new Op("SwiGLU g*sigmoid(g)*u", best(() -> g.mul(Activation.sigmoid(g)).mul(u)), 0, "3 passes"));
                NDArray a16 = m.randomNormal(new Shape(s.rank(), h));
                NDArray b16 = m.randomNormal(new Shape(inter, s.rank()));
                ops.add(new Op("LoRA branch (gate): x A^T B^T * s", best(() -> x.matMul(a16.transpose())
                        .matMul(b16.transpose()).mul(2.0)), 0, "as LoraLinear: scaling on [T, out]"));
                ops.add(new Op("  alt: (x A^T * s) B^T", best(() -> x.matMul(a16.transpose()).mul(2.0)
                        .matMul(b16.transpose())), 0, "scaling on [T, r]"));
            }
            return null;
        });
        return ops;
    }

    private static NDArray pairTable(NDManager m) {
        float[] pairs = new float[512];
        for (int v = 0; v < 256; v++) {
            pairs[2 * v] = dev.finetune.engine.quant.Nf4Codebook.value(v >>> 4);
            pairs[2 * v + 1] = dev.finetune.engine.quant.Nf4Codebook.value(v & 0x0F);
        }
        return m.create(pairs, new Shape(256, 2));
    }

    private static NDArray repeat(NDArray x, int b, int kv, int rep, int t, int d) {
        return x.expandDims(2).broadcast(new Shape(b, kv, rep, t, d)).reshape(b, (long) kv * rep, t, d);
    }

    private static NDArray rope(NDArray x, NDArray cos, NDArray sin, int d) {
        int half = d / 2;
        NDArray x1 = x.get("..., :" + half);
        NDArray x2 = x.get("..., " + half + ":");
        return x.mul(cos).add(x2.neg().concat(x1, -1).mul(sin));
    }

    private static NDArray causal(NDManager m, int b, int t) {
        float[] mask = new float[b * t * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    mask[(r * t + i) * t + j] = -3.4028235e38f;
                }
            }
        }
        return m.create(mask, new Shape(b, 1, t, t));
    }

    private static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextGaussian() * std);
        }
        return out;
    }

    /** Best of 3 after one warm-up; every array the op creates is released after each run. Milliseconds. */
    private static double best(Supplier<NDArray> op) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                long t0 = System.nanoTime();
                op.get();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (i > 0) {
                    best = Math.min(best, ms);
                }
            }
        }
        return best;
    }
}
