package dev.finetune.engine.model;

/**
 * How to pick each next token.
 *
 * @param maxNewTokens upper bound on generated tokens
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it before sampling
 * @param topP nucleus sampling: sample among the smallest set of tokens whose probability reaches topP (1 = off)
 * @param seed seed of the sampling RNG, so a sampled generation can be repeated
 * @param stopAtEos stop when the end-of-sequence token is produced
 */
public record SamplingOptions(int maxNewTokens, double temperature, double topP, long seed, boolean stopAtEos) {

    public SamplingOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public static SamplingOptions greedy(int maxNewTokens) {
        return new SamplingOptions(maxNewTokens, 0, 1, 0, true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
