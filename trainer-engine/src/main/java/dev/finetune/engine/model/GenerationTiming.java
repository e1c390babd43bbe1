package dev.finetune.engine.model;

/**
 * How long one generation took, split the way it runs: prefill (one forward over the whole prompt,
 * which also yields the first new token) and decode (one forward per further token, reusing the KV
 * cache). Prefill is therefore the time to the first token.
 *
 * @param promptTokens tokens of the prompt fed to the model (BOS and chat template included)
 * @param prefillNanos from the start of generation to the first new token; 0 when nothing was generated
 * @param generatedTokens new tokens produced (an end-of-sequence token included)
 * @param decodeNanos from the first new token to the last
 */
public record GenerationTiming(int promptTokens, long prefillNanos, int generatedTokens, long decodeNanos) {

    /** Tokens that came from decode steps: every generated token but the first, which prefill produced. */
    public int decodedTokens() {
        return Math.max(0, generatedTokens - 1);
    }

    /** Prompt tokens per second of prefill, or NaN when there was no prefill. */
    public double promptTokensPerSecond() {
        return perSecond(promptTokens, prefillNanos);
    }

    /** Decoded tokens per second of decode, or NaN when there was no decode step. */
    public double decodeTokensPerSecond() {
        return perSecond(decodedTokens(), decodeNanos);
    }

    private static double perSecond(int tokens, long nanos) {
        return tokens == 0 || nanos <= 0 ? Double.NaN : tokens * 1e9 / nanos;
    }
}
