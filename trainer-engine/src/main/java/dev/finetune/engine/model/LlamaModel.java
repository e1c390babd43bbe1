package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family causal language model (Llama, Mistral, Qwen2) as plain NDArray code.
 *
 * <p>The forward pass is split into {@link #embed}, the {@link #layers()} and {@link #head} so
 * the trainer can run the blocks one at a time (block-wise recomputation). All frozen weights
 * live on {@link #manager()}; activations live on whatever manager owns the input ids.
 */
public final class LlamaModel implements AutoCloseable {

    private final LlamaConfig config;
    private final NDManager manager;
    private final ModelOptions options;
    private final NDArray embedding;
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final Projection lmHead;
    private final RotaryEmbedding rope;
    private final boolean tiedHead;

    LlamaModel(LlamaConfig config, NDManager manager, ModelOptions options, NDArray embedding,
               List<DecoderLayer> layers, RmsNorm finalNorm, Projection lmHead, RotaryEmbedding rope, boolean tiedHead) {
        this.config = config;
        this.manager = manager;
        this.options = options;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = rope;
        this.tiedHead = tiedHead;
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public ModelOptions options() {
        return options;
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    public Projection lmHead() {
        return lmHead;
    }

    public NDArray embeddingWeight() {
        return embedding;
    }

    public RmsNorm finalNorm() {
        return finalNorm;
    }

    public boolean tiedHead() {
        return tiedHead;
    }

    /** Every linear layer of every block, then the output head. */
    public List<Projection> allProjections() {
        List<Projection> all = new ArrayList<>();
        layers.forEach(l -> all.addAll(l.projections()));
        all.add(lmHead);
        return all;
    }

    /** Token ids {@code [B, T]} (int64) to hidden states {@code [B, T, H]}. */
    public NDArray embed(NDArray inputIds) {
        NDArray rows = RotaryEmbedding.lookup(inputIds, embedding);
        return rows.getDataType() == DataType.FLOAT32 ? rows : rows.toType(DataType.FLOAT32, false);
    }

    /** Rotary tables for the positions {@code [B, T]} and the given additive mask. */
    public AttentionContext context(NDArray positions, NDArray mask, KvCache cache) {
        if (positions.max().getLong() >= rope.maxPositions()) {
            throw new IllegalArgumentException("position " + positions.max().getLong()
                    + " exceeds max_position_embeddings " + rope.maxPositions());
        }
        NDList tables = rope.tablesFor(positions);
        return new AttentionContext(tables.get(0), tables.get(1), mask, cache);
    }

    /**
     * The context of one decode step of a continuous batch: row {@code b} feeds one token at position
     * {@code positions[b]} and attends to {@code caches.get(b)} only (see {@link Attention}'s batched decode).
     */
    public AttentionContext decodeContext(NDManager step, long[] positions, List<KvCache> caches) {
        if (positions.length != caches.size()) {
            throw new IllegalArgumentException(positions.length + " positions for " + caches.size() + " caches");
        }
        for (long p : positions) {
            if (p >= rope.maxPositions()) {
                throw new IllegalArgumentException("position " + p + " exceeds max_position_embeddings " + rope.maxPositions());
            }
        }
        NDList tables = rope.tablesFor(step.create(positions, new Shape(positions.length, 1)));
        return new AttentionContext(tables.get(0), tables.get(1), null, null, caches);
    }

    /** Final norm and output head: hidden states to logits {@code [B, T, vocab]}. */
    public NDArray head(NDArray hidden) {
        return lmHead.forward(finalNorm.forward(hidden));
    }

    /**
     * Final norm and output head of some rows of flattened hidden states {@code [N, H]}: logits
     * {@code [to - from, vocab]} of the rows {@code rows[from..to)}. A run of consecutive rows is a slice (a
     * view); scattered rows are gathered.
     */
    public NDArray headRows(NDArray flat, long[] rows, int from, int to) {
        return head(rows(flat, rows, from, to));
    }

    /** Rows {@code rows[from..to)} of {@code flat [N, H]}: a slice (a view) when consecutive, else gathered. */
    static NDArray rows(NDArray flat, long[] rows, int from, int to) {
        boolean consecutive = rows[to - 1] - rows[from] == to - 1 - from;
        return consecutive
                ? flat.get(new ai.djl.ndarray.index.NDIndex("{}:{}", rows[from], rows[to - 1] + 1))
                : RotaryEmbedding.lookup(flat.getManager().create(java.util.Arrays.copyOfRange(rows, from, to)), flat);
    }

    /** The whole forward pass, recording a graph if a gradient collector is open. */
    public NDArray forward(NDArray inputIds, AttentionContext ctx) {
        return head(hiddenStates(inputIds, ctx));
    }

    /** The forward pass up to the last block: hidden states {@code [B, T, H]}, the input of the final norm. */
    public NDArray hiddenStates(NDArray inputIds, AttentionContext ctx) {
        NDArray h = embed(inputIds);
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, ctx);
        }
        if (ctx.cache() != null) {
            ctx.cache().advance((int) inputIds.getShape().get(1));
        }
        return h;
    }

    /**
     * The forward pass of generation: logits {@code [B, vocab]} of each row's last position only, so the
     * head (for a large vocabulary the biggest matmul) runs once per row instead of once per prompt token.
     * Advances the KV cache, or each row's cache in a continuous batch.
     */
    public NDArray forwardLast(NDArray inputIds, AttentionContext ctx) {
        NDArray h = embed(inputIds);
        for (DecoderLayer layer : layers) {
            h = layer.forward(h, ctx);
        }
        int len = (int) inputIds.getShape().get(1);
        if (ctx.cache() != null) {
            ctx.cache().advance(len);
        }
        if (ctx.rowCaches() != null) {
            ctx.rowCaches().forEach(c -> c.advance(len));
        }
        NDArray last = len == 1 ? h : h.get(new ai.djl.ndarray.index.NDIndex(":, {}:, :", len - 1));
        NDArray logits = head(last);
        return logits.reshape(logits.getShape().get(0), logits.getShape().get(2));
    }

    /** Convenience for one unpadded sequence: logits {@code [1, T, vocab]}. */
    public NDArray forward(int[] ids) {
        NDManager m = manager;
        NDArray input = m.create(toLong(ids), new Shape(1, ids.length));
        NDArray positions = m.arange(0, ids.length, 1, DataType.INT64).reshape(1, ids.length);
        return forward(input, context(positions, AttentionMask.causal(m, 1, ids.length), null));
    }

    /** Bytes resident for frozen weights (embedding, norms, projections). */
    public long frozenWeightBytes() {
        long bytes = embedding.size() * embedding.getDataType().getNumOfBytes() + finalNorm.weight().size() * 4;
        for (DecoderLayer l : layers) {
            bytes += (l.inputNorm().weight().size() + l.postAttentionNorm().weight().size()) * 4;
            for (Projection p : l.projections()) {
                bytes += p.linear().weightBytes();
            }
        }
        return tiedHead ? bytes : bytes + lmHead.linear().weightBytes();
    }

    static long[] toLong(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    @Override
    public void close() {
        layers.forEach(DecoderLayer::close);
        finalNorm.close();
        if (!tiedHead) {
            lmHead.close();
        }
        embedding.close();
        rope.close();
    }
}
