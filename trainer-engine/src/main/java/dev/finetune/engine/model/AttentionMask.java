package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.runtime.NativeArrays;

/**
 * Builds the additive attention mask {@code [B, 1, T, S]} (0 where a query may look, a large
 * negative number where it may not) from three rules at once:
 * <ul>
 *   <li>causal: query {@code i} (at absolute position {@code past + i}) sees keys {@code <= past + i};
 *   <li>padding: keys whose segment id is {@code -1} are never seen;
 *   <li>packing: a query only sees keys of its own segment, so packed examples stay independent.
 * </ul>
 * A finite negative value (not -inf) keeps fully padded rows from producing NaN; their
 * outputs carry no loss.
 */
public final class AttentionMask {

    /** Float32 lowest, as Hugging Face uses {@code torch.finfo(dtype).min}. */
    static final float MASKED = -3.4028235e38f;

    private AttentionMask() {}

    /**
     * @param segmentIds {@code [B * T]} row-major segment ids of the queries, -1 for padding
     * @param pastSegments segment ids of cached keys {@code [B * past]} or {@code null} when none
     */
    public static NDArray build(NDManager manager, int batch, int queryLen, int[] segmentIds, int past, int[] pastSegments) {
        int keyLen = past + queryLen;
        float[] mask = new float[batch * queryLen * keyLen];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < queryLen; i++) {
                int querySegment = segmentIds[b * queryLen + i];
                int row = (b * queryLen + i) * keyLen;
                for (int j = 0; j < keyLen; j++) {
                    int keySegment = j < past ? pastSegments[b * past + j] : segmentIds[b * queryLen + (j - past)];
                    boolean visible = j <= past + i && keySegment >= 0 && keySegment == querySegment;
                    mask[row + j] = visible ? 0f : MASKED;
                }
            }
        }
        // in memory libtorch owns: the fused attention's backward keeps the mask (NativeArrays says why that matters)
        return NativeArrays.float32(manager, mask, new Shape(batch, 1, queryLen, keyLen));
    }

    /** Plain causal mask for one unpadded sequence per row. */
    public static NDArray causal(NDManager manager, int batch, int queryLen) {
        return build(manager, batch, queryLen, new int[batch * queryLen], 0, null);
    }
}
