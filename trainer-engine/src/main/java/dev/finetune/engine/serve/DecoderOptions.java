package dev.finetune.engine.serve;

/**
 * Bounds of one {@link Decoder}.
 *
 * @param maxBatchRows most requests decoding together (and waiting to start)
 * @param maxKvTokens most KV-cache positions reserved across all rows; a request reserves its prompt plus
 *     its {@code maxNewTokens} (capped at the context length) for its whole life, so the cache memory is
 *     bounded by this times {@link ServingModel#kvBytesPerPosition()}
 */
public record DecoderOptions(int maxBatchRows, int maxKvTokens) {

    public DecoderOptions {
        if (maxBatchRows < 1) {
            throw new IllegalArgumentException("maxBatchRows must be >= 1, got " + maxBatchRows);
        }
        if (maxKvTokens < 1) {
            throw new IllegalArgumentException("maxKvTokens must be >= 1, got " + maxKvTokens);
        }
    }
}
