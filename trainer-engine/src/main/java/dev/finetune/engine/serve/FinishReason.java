package dev.finetune.engine.serve;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced its end-of-sequence token, or the text reached one of the request's stop strings. */
    STOP,
    /** {@code maxNewTokens} were generated, or the sequence reached the model's context length. */
    LENGTH
}
