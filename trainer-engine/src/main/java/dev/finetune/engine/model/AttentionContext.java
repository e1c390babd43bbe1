package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * What every layer's attention needs for one forward call: rotary tables for the query
 * positions, the additive mask and, during generation, the KV cache.
 */
public record AttentionContext(NDArray cos, NDArray sin, NDArray mask, KvCache cache) {}
