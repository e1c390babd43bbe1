package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * One pre-norm transformer block:
 * {@code h = x + adaptAttn(attn(norm1(x)))}, {@code out = h + adaptFfn(mlp(norm2(h)))}.
 */
public final class DecoderLayer implements AutoCloseable {

    private final int index;
    private final RmsNorm inputNorm;
    private final Attention attention;
    private final RmsNorm postAttentionNorm;
    private final FeedForward mlp;
    private SublayerAdapter afterAttention = SublayerAdapter.IDENTITY;
    private SublayerAdapter afterFeedForward = SublayerAdapter.IDENTITY;

    DecoderLayer(int index, RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm, FeedForward mlp) {
        this.index = index;
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
    }

    public int index() {
        return index;
    }

    public NDArray forward(NDArray x, AttentionContext ctx) {
        NDArray h = x.add(afterAttention.apply(attention.forward(inputNorm.forward(x), ctx)));
        return h.add(afterFeedForward.apply(mlp.forward(postAttentionNorm.forward(h))));
    }

    /** The seven linear layers, in Hugging Face order (q, k, v, o, gate, up, down). */
    public List<Projection> projections() {
        List<Projection> all = new ArrayList<>(attention.projections());
        all.addAll(mlp.projections());
        return all;
    }

    public RmsNorm inputNorm() {
        return inputNorm;
    }

    public RmsNorm postAttentionNorm() {
        return postAttentionNorm;
    }

    public void setAfterAttention(SublayerAdapter adapter) {
        this.afterAttention = adapter == null ? SublayerAdapter.IDENTITY : adapter;
    }

    public void setAfterFeedForward(SublayerAdapter adapter) {
        this.afterFeedForward = adapter == null ? SublayerAdapter.IDENTITY : adapter;
    }

    @Override
    public void close() {
        inputNorm.close();
        attention.close();
        postAttentionNorm.close();
        mlp.close();
    }
}
