package dev.finetune.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.data.Batch;
import dev.finetune.engine.model.AttentionContext;
import dev.finetune.engine.model.AttentionMask;
import dev.finetune.engine.model.CausalLmLoss;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.List;

/**
 * One micro-batch's loss and gradients, two ways that give identical gradients:
 * <ul>
 *   <li><b>block recomputation</b> (default): run every block forward with autograd off, keeping
 *   only each block's input; then, inside one gradient collector, backpropagate the head, and
 *   from the last block down recompute each block from its saved input and backpropagate
 *   {@code sum(output * upstreamGradient)}, taking the input's gradient as the next upstream
 *   gradient. Each block's intermediates (and, for QLoRA, its dequantized weights) live only
 *   inside that block's scope, so peak memory is one block, not the whole graph.</li>
 *   <li><b>full graph</b>: one recorded forward and one backward; autograd keeps every
 *   intermediate until the end.</li>
 * </ul>
 * Dropout masks are made reproducible by reseeding PyTorch's generator before each block with
 * a value derived from (seed, step, micro-batch, layer): the recomputed block sees the same masks
 * as its first forward, and a resumed run the same masks as an uninterrupted one.
 */
final class ForwardBackward {

    private final LlamaModel model;
    private final boolean recompute;
    private final boolean firstBlockTrains;

    /**
     * @param firstBlockTrains whether block 0 holds trainable weights; when it does not, its input
     *                         needs no gradient and recomputing it would give autograd nothing to do
     */
    ForwardBackward(LlamaModel model, boolean recompute, boolean firstBlockTrains) {
        this.model = model;
        this.recompute = recompute;
        this.firstBlockTrains = firstBlockTrains;
    }

    /** Inputs of one micro-batch on the device. */
    record Inputs(NDArray ids, AttentionContext ctx, int[] labels) {}

    static Inputs inputs(LlamaModel model, NDManager m, Batch b) {
        Shape shape = new Shape(b.batchSize(), b.seqLen());
        NDArray ids = m.create(toLong(b.inputIds()), shape);
        NDArray positions = m.create(toLong(b.positionIds()), shape);
        NDArray mask = AttentionMask.build(m, b.batchSize(), b.seqLen(), b.segmentIds(), 0, null);
        return new Inputs(ids, model.context(positions, mask, null), b.labels());
    }

    /** Forward + backward of {@code loss / lossDivisor}; returns the unscaled mean loss. */
    float run(Batch batch, double lossDivisor, long[] seedBase) {
        try (NDScope scope = new NDScope()) {
            Inputs in = inputs(model, model.manager(), batch);
            return recompute ? recomputed(in, lossDivisor, seedBase) : fullGraph(in, lossDivisor, seedBase);
        }
    }

    private float fullGraph(Inputs in, double divisor, long[] seedBase) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = model.embed(in.ids());
            for (DecoderLayer layer : model.layers()) {
                // a scope per block frees the wrappers of intermediates autograd does not keep:
                // same gradients, about half the peak memory (docs/BENCHMARKS.md)
                try (NDScope block = new NDScope()) {
                    EngineRuntime.seed(blockSeed(seedBase, layer.index()));
                    h = layer.forward(h, in.ctx());
                    NDScope.unregister(h);
                }
                NDScope.register(h);
            }
            CausalLmLoss.Result loss = CausalLmLoss.compute(model.head(h), in.labels());
            gc.backward(loss.loss().div(divisor));
            return loss.loss().getFloat();
        }
    }

    private float recomputed(Inputs in, double divisor, long[] seedBase) {
        List<DecoderLayer> layers = model.layers();
        NDArray[] blockInputs = new NDArray[layers.size() + 1];
        EngineRuntime.noGrad(() -> {
            blockInputs[0] = model.embed(in.ids());
            for (DecoderLayer layer : layers) {
                try (NDScope block = new NDScope()) {
                    EngineRuntime.seed(blockSeed(seedBase, layer.index()));
                    NDArray out = layer.forward(blockInputs[layer.index()], in.ctx());
                    NDScope.unregister(out);
                    blockInputs[layer.index() + 1] = out;
                }
                NDScope.register(blockInputs[layer.index() + 1]);
            }
            return null;
        });
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray last = blockInputs[layers.size()];
            last.setRequiresGradient(true);
            float loss;
            NDArray upstream;
            try (NDScope head = new NDScope()) {
                CausalLmLoss.Result result = CausalLmLoss.compute(model.head(last), in.labels());
                gc.backward(result.loss().div(divisor));
                loss = result.loss().getFloat();
                upstream = last.getGradient();
                NDScope.unregister(upstream);
            }
            NDScope.register(upstream);
            for (int i = layers.size() - 1; i >= 0; i--) {
                NDArray input = blockInputs[i];
                if (i > 0) {
                    input.setRequiresGradient(true);
                }
                try (NDScope block = new NDScope()) {
                    EngineRuntime.seed(blockSeed(seedBase, i));
                    if (i == 0 && !firstBlockTrains) {
                        // nothing in the first block trains (e.g. LoRA on lm_head only): no graph to walk
                        break;
                    }
                    NDArray out = layers.get(i).forward(input, in.ctx());
                    gc.backward(out.mul(upstream).sum());
                    if (i > 0) {
                        upstream = input.getGradient();
                        NDScope.unregister(upstream);
                    }
                }
                if (i > 0) {
                    NDScope.register(upstream);
                }
            }
            return loss;
        }
    }

    /** Summed next-token NLL over a batch's target tokens, and their count. */
    record EvalSums(double nllSum, int tokens) {}

    /** Evaluation of one batch with autograd off. */
    EvalSums evaluate(Batch batch) {
        return EngineRuntime.noGrad(() -> {
            try (NDScope scope = new NDScope()) {
                Inputs in = inputs(model, model.manager(), batch);
                NDArray logits = model.forward(in.ids(), in.ctx());
                CausalLmLoss.Result r = CausalLmLoss.compute(logits, in.labels());
                return new EvalSums((double) r.loss().getFloat() * r.tokens(), r.tokens());
            }
        });
    }

    static long blockSeed(long[] base, int layer) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : base) {
            h = (h ^ v) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return (h ^ layer) * 0x94D049BB133111EBL >>> 1;
    }

    static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
