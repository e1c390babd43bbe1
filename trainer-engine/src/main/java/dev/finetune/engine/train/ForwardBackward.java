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
import dev.finetune.engine.runtime.Dropout;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.runtime.Scalars;
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
 * Dropout masks are made reproducible by starting this thread's mask stream ({@link Dropout#seed}) before each
 * block with a value derived from (seed, step, micro-batch, layer): the recomputed block sees the same masks as its
 * first forward, and a resumed run the same masks as an uninterrupted one.
 */
final class ForwardBackward {

    private final LlamaModel model;
    private final boolean recompute;
    private final boolean firstBlockTrains;
    private final boolean blocksTrain;

    /**
     * @param firstBlockTrains whether block 0 holds trainable weights; when it does not, its input
     *                         needs no gradient and recomputing it would give autograd nothing to do
     * @param blocksTrain      whether any block holds trainable weights (not only the output head); when none
     *                         does, the full graph's blocks record nothing to backpropagate through
     */
    ForwardBackward(LlamaModel model, boolean recompute, boolean firstBlockTrains, boolean blocksTrain) {
        this.model = model;
        this.recompute = recompute;
        this.firstBlockTrains = firstBlockTrains;
        this.blocksTrain = blocksTrain;
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
                    Dropout.seed(blockSeed(seedBase, layer.index()));
                    h = layer.forward(h, in.ctx());
                    NDScope.unregister(h);
                }
                NDScope.register(h);
            }
            // the head and loss run chunk by chunk on a detached copy of the last hidden states (see recomputed);
            // their gradient then flows through the blocks' graph in one backward
            NDArray last = h.stopGradient();
            last.setRequiresGradient(true);
            HeadPass head = head(gc, last, in.labels(), divisor);
            if (blocksTrain) {
                gc.backward(h.mul(head.upstream()).sum());
            }
            return head.loss();
        }
    }

    /** The loss and the gradient it sends into the last hidden states. */
    private record HeadPass(float loss, NDArray upstream) {}

    /**
     * Final norm, head and loss on the leaf {@code last}, backpropagated a chunk of positions at a time
     * ({@link CausalLmLoss#chunked}): the {@code [T, vocab]} logits never exist whole.
     */
    private HeadPass head(GradientCollector gc, NDArray last, int[] labels, double divisor) {
        float loss;
        NDArray upstream;
        try (NDScope head = new NDScope()) {
            CausalLmLoss.Result result = CausalLmLoss.chunked(model, last, labels, gc, divisor);
            loss = result.loss().getFloat();
            if (result.tokens() == 0) {
                // no token carries a loss: zero gradients, defined for every trainable tensor as a loss of 0 gives
                Shape s = last.getShape();
                gc.backward(model.headRows(last.reshape(s.get(0) * s.get(1), s.get(2)), new long[] {0}, 0, 1)
                        .sum().mul(Scalars.of(model.manager(), 0)));
            }
            upstream = last.getGradient();
            NDScope.unregister(upstream);
        }
        NDScope.register(upstream);
        return new HeadPass(loss, upstream);
    }

    private float recomputed(Inputs in, double divisor, long[] seedBase) {
        List<DecoderLayer> layers = model.layers();
        NDArray[] blockInputs = new NDArray[layers.size() + 1];
        EngineRuntime.noGrad(() -> {
            blockInputs[0] = model.embed(in.ids());
            for (DecoderLayer layer : layers) {
                try (NDScope block = new NDScope()) {
                    Dropout.seed(blockSeed(seedBase, layer.index()));
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
            HeadPass head = head(gc, last, in.labels(), divisor);
            NDArray upstream = head.upstream();
            for (int i = layers.size() - 1; i >= 0; i--) {
                NDArray input = blockInputs[i];
                if (i > 0) {
                    input.setRequiresGradient(true);
                }
                try (NDScope block = new NDScope()) {
                    Dropout.seed(blockSeed(seedBase, i));
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
            return head.loss();
        }
    }

    /** Summed next-token NLL over a batch's target tokens, and their count. */
    record EvalSums(double nllSum, int tokens) {}

    /** Evaluation of one batch with autograd off. */
    EvalSums evaluate(Batch batch) {
        return EngineRuntime.noGrad(() -> {
            try (NDScope scope = new NDScope()) {
                Inputs in = inputs(model, model.manager(), batch);
                CausalLmLoss.Result r = CausalLmLoss.chunked(model, model.hiddenStates(in.ids(), in.ctx()), in.labels(),
                        null, 1);
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
