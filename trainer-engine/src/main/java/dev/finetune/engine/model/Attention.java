package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Grouped-query self-attention as in Hugging Face's {@code LlamaAttention}: q/k/v projections
 * (optionally with bias, as Qwen2 has), rotary embeddings on q and k, each KV head shared by
 * {@code heads / kvHeads} query heads, softmax in float32, output projection. A whole sequence (training, prefill)
 * goes through libtorch's fused kernel ({@link FusedAttention}); a decode step through {@link #decodeRows}.
 */
public final class Attention implements AutoCloseable {

    final Projection q;
    final Projection k;
    final Projection v;
    final Projection o;
    private final int layerIndex;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final RotaryEmbedding rope;

    Attention(int layerIndex, Projection q, Projection k, Projection v, Projection o,
              int heads, int kvHeads, int headDim, RotaryEmbedding rope) {
        this.layerIndex = layerIndex;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rope = rope;
    }

    public List<Projection> projections() {
        return List.of(q, k, v, o);
    }

    NDArray forward(NDArray x, AttentionContext ctx) {
        if (ctx.rowCaches() != null) {
            return decodeRows(x, ctx);
        }
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long len = shape.get(1);
        NDArray query = q.forward(x).reshape(batch, len, heads, headDim).transpose(0, 2, 1, 3);
        NDArray key = k.forward(x).reshape(batch, len, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray value = v.forward(x).reshape(batch, len, kvHeads, headDim).transpose(0, 2, 1, 3);
        query = rope.apply(query, ctx.cos(), ctx.sin());
        key = rope.apply(key, ctx.cos(), ctx.sin());
        if (ctx.cache() != null) {
            NDArray[] full = ctx.cache().append(layerIndex, key, value);
            key = full[0];
            value = full[1];
        }
        return o.forward(FusedAttention.attend(query, key, value, ctx.mask()).reshape(batch, len, (long) heads * headDim));
    }

    /**
     * One decode step for the rows of a continuous batch (or one sequence): each row feeds one token and attends to
     * its own cache. All rows run as one batched attention: the caches are viewed padded to the longest row, a mask
     * hides each row's positions past its own length, and grouped-query heads are not materialised (queries are
     * shaped {@code [B, kvHeads, rep, D]} and multiply the shared keys {@code [B, kvHeads, D, S]} directly). Rotary
     * embeddings take the four-operation form of {@link RotaryEmbedding#applyDecode}, bit for bit the same values.
     */
    private NDArray decodeRows(NDArray x, AttentionContext ctx) {
        List<KvCache> caches = ctx.rowCaches();
        long batch = x.getShape().get(0);
        if (x.getShape().get(1) != 1 || batch != caches.size()) {
            throw new IllegalArgumentException("rows with their own caches decode one token each: got input "
                    + x.getShape() + " for " + caches.size() + " caches");
        }
        int rep = heads / kvHeads;
        NDArray query = rope.applyDecode(q.forward(x).reshape(batch, kvHeads, rep, headDim), ctx.cos(), ctx.sin());
        NDArray key = rope.applyDecode(k.forward(x).reshape(batch, kvHeads, 1, headDim), ctx.cos(), ctx.sin());
        NDArray value = v.forward(x).reshape(batch, kvHeads, 1, headDim);
        NDArray[] kv = KvCache.appendRows(caches, layerIndex, key, value);
        NDArray scores = query.matMul(kv[0].transpose(0, 1, 3, 2)).div(Math.sqrt(headDim));
        if (kv[2] != null) {
            scores = scores.add(kv[2]);
        }
        NDArray context = scores.softmax(-1).matMul(kv[1]);
        return o.forward(context.reshape(batch, 1, (long) heads * headDim));
    }

    @Override
    public void close() {
        q.close();
        k.close();
        v.close();
        o.close();
    }
}
