package dev.finetune.engine.serve;

/**
 * Where a generation's output goes, called on the decoder's thread. Exactly one of {@link #onFinish} and
 * {@link #onError} ends every accepted request. A sink that throws has its request cancelled.
 */
public interface TokenSink {

    /** Every generated token id as it is picked (an end-of-sequence id included), before its text. Optional. */
    default void onToken(int tokenId) {
        // most sinks only need the text
    }

    /** Decoded text as it becomes stable: never half of a multi-byte character, never any part of a stop string. */
    void onText(String delta);

    /** The generation ended; {@code completionTokens} counts every generated token, an end-of-sequence token included. */
    void onFinish(FinishReason reason, int promptTokens, int completionTokens);

    /** The generation failed or was cancelled ({@link java.util.concurrent.CancellationException}). */
    void onError(Exception error);
}
