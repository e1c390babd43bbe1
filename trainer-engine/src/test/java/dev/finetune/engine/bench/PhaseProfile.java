package dev.finetune.engine.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.data.Batch;
import dev.finetune.data.BatchCollator;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.model.AttentionContext;
import dev.finetune.engine.model.AttentionMask;
import dev.finetune.engine.model.CausalLmLoss;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.train.AdamW;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time per phase of one training step. {@code ForwardBackward} is package-private, so its two
 * strategies are re-traced here step for step with the same public model API (embed, blocks, head,
 * loss, one gradient collector) and a stopwatch between phases. libtorch on CPU runs every op
 * synchronously, so wall time between calls is the time of the ops in between.
 */
final class PhaseProfile {

    private PhaseProfile() {}

    /** Wall time (ms) and, under "peak MB: ...", the process's peak RSS reached by the end of each phase. */
    static Map<String, Double> profile(LlamaModel model, LoraAdapter adapter, TrainingData data, boolean recompute,
                                       int steps, ProcMemory memory) {
        Map<String, Double> total = profileVariant(model, adapter, data, recompute, false, steps, memory, "");
        if (!recompute) {
            // the same full graph with each block in its own NDScope: only what autograd saved survives the block
            total.putAll(profileVariant(model, adapter, data, false, true, steps, memory, "[per-block scope] "));
        }
        return total;
    }

    private static Map<String, Double> profileVariant(LlamaModel model, LoraAdapter adapter, TrainingData data,
                                                      boolean recompute, boolean scopedBlocks, int steps,
                                                      ProcMemory memory, String prefix) {
        Map<String, Double> total = new LinkedHashMap<>();
        AdamW optimizer = new AdamW(TrainingConfig.defaults());
        try {
            adapter.setTraining(true);
            List<NamedParameter> params = adapter.parameters();
            for (int step = 0; step < steps; step++) {
                Batch batch = BatchCollator.collate(data.train().subList(0, 1), data.padId());
                System.gc();
                long base = ProcMemory.rssBytes();
                memory.resetPeak();
                Stopwatch w = new Stopwatch(memory, base);
                if (recompute) {
                    recomputed(model, batch, w);
                } else {
                    fullGraph(model, batch, w, scopedBlocks);
                }
                clipAndStep(params, optimizer);
                w.lap("clip + AdamW");
                w.times.forEach((k, v) -> total.merge(prefix + k, v / steps, Double::sum));
                if (step == steps - 1) {
                    w.peaks.forEach((k, v) -> total.put("peak MB: " + prefix + k, v));
                }
            }
        } finally {
            optimizer.close();
            adapter.setTraining(false);
        }
        return total;
    }

    private static AttentionContext context(LlamaModel model, NDManager m, Batch b) {
        NDArray positions = m.create(toLong(b.positionIds()), new Shape(b.batchSize(), b.seqLen()));
        NDArray mask = AttentionMask.build(m, b.batchSize(), b.seqLen(), b.segmentIds(), 0, null);
        return model.context(positions, mask, null);
    }

    private static void fullGraph(LlamaModel model, Batch batch, Stopwatch w, boolean scopedBlocks) {
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            NDArray ids = m.create(toLong(batch.inputIds()), new Shape(batch.batchSize(), batch.seqLen()));
            AttentionContext ctx = context(model, m, batch);
            w.lap("inputs (mask, rope tables)");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = model.embed(ids);
                w.lap("embed");
                for (DecoderLayer layer : model.layers()) {
                    if (scopedBlocks) {
                        try (NDScope block = new NDScope()) {
                            h = layer.forward(h, ctx);
                            NDScope.unregister(h);
                        }
                        NDScope.register(h);
                    } else {
                        h = layer.forward(h, ctx);
                    }
                }
                w.lap("blocks forward (graph kept)");
                NDArray last = h.stopGradient();
                last.setRequiresGradient(true);
                try (NDScope head = new NDScope()) {
                    CausalLmLoss.chunked(model, last, batch.labels(), gc, 1)
                            .loss().getFloat();
                }
                w.lap("head + loss, chunked forward + backward");
                gc.backward(h.mul(last.getGradient()).sum());
                w.lap("backward (all blocks)");
            }
        }
        w.lap("release step scope");
    }

    private static void recomputed(LlamaModel model, Batch batch, Stopwatch w) {
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            NDArray ids = m.create(toLong(batch.inputIds()), new Shape(batch.batchSize(), batch.seqLen()));
            AttentionContext ctx = context(model, m, batch);
            w.lap("inputs (mask, rope tables)");
            List<DecoderLayer> layers = model.layers();
            NDArray[] inputs = new NDArray[layers.size() + 1];
            EngineRuntime.noGrad(() -> {
                inputs[0] = model.embed(ids);
                w.lap("embed");
                for (DecoderLayer layer : layers) {
                    try (NDScope block = new NDScope()) {
                        NDArray out = layer.forward(inputs[layer.index()], ctx);
                        NDScope.unregister(out);
                        inputs[layer.index() + 1] = out;
                    }
                    NDScope.register(inputs[layer.index() + 1]);
                }
                w.lap("blocks forward (no grad)");
                return null;
            });
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray last = inputs[layers.size()];
                last.setRequiresGradient(true);
                NDArray upstream;
                try (NDScope head = new NDScope()) {
                    CausalLmLoss.chunked(model, last, batch.labels(), gc, 1)
                            .loss().getFloat();
                    upstream = last.getGradient();
                    NDScope.unregister(upstream);
                    w.lap("head + loss, chunked forward + backward");
                }
                NDScope.register(upstream);
                for (int i = layers.size() - 1; i >= 0; i--) {
                    NDArray input = inputs[i];
                    if (i > 0) {
                        input.setRequiresGradient(true);
                    }
                    try (NDScope block = new NDScope()) {
                        NDArray out = layers.get(i).forward(input, ctx);
                        w.lap("blocks recompute forward");
                        gc.backward(out.mul(upstream).sum());
                        if (i > 0) {
                            upstream = input.getGradient();
                            NDScope.unregister(upstream);
                        }
                        w.lap("blocks backward");
                    }
                    if (i > 0) {
                        NDScope.register(upstream);
                    }
                }
            }
        }
        w.lap("release step scope");
    }

    /** What TrainingRun does after the passes: global norm, AdamW, zero the gradients. */
    private static void clipAndStep(List<NamedParameter> params, AdamW optimizer) {
        EngineRuntime.noGrad(() -> {
            try (NDScope ignored = new NDScope()) {
                double sum = 0;
                for (NamedParameter p : params) {
                    sum += p.value().getGradient().square().sum().getFloat();
                }
                return sum;
            }
        });
        optimizer.step(params, 1e-6);
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** Accumulates the time since the previous lap under a phase name, and the peak RSS reached by then. */
    private static final class Stopwatch {
        final Map<String, Double> times = new LinkedHashMap<>();
        final Map<String, Double> peaks = new LinkedHashMap<>();
        private final ProcMemory memory;
        private final long base;
        private long last = System.nanoTime();

        Stopwatch(ProcMemory memory, long base) {
            this.memory = memory;
            this.base = base;
        }

        void lap(String phase) {
            long now = System.nanoTime();
            times.merge(phase, (now - last) / 1e6, Double::sum);
            peaks.merge(phase, (memory.peakBytes() - base) / 1e6, Math::max);
            last = System.nanoTime();
        }
    }
}
