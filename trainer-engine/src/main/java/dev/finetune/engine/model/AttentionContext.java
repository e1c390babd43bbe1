package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What every layer's attention needs for one forward call: rotary tables for the query
 * positions, the additive mask and, during generation, the KV cache.
 *
 * <p>Continuous batching decodes rows that each have their own history: {@code rowCaches} then holds one
 * cache per batch row (and {@code cache} is null), every row feeds one token, and each row attends to its
 * own cache only: {@code mask} is null, as attention builds the mask of the rows' lengths itself
 * ({@link LlamaModel#decodeContext}).
 */
public record AttentionContext(NDArray cos, NDArray sin, NDArray mask, KvCache cache, List<KvCache> rowCaches) {

    public AttentionContext(NDArray cos, NDArray sin, NDArray mask, KvCache cache) {
        this(cos, sin, mask, cache, null);
    }
}
