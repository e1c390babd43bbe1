package dev.finetune.engine.serve;

/** The decoder has no free row or not enough KV-cache budget for a request now; try again later (HTTP 429). */
public final class DecoderFullException extends Exception {

    private final int retryAfterSeconds;

    public DecoderFullException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** A hint for {@code Retry-After}: when the first running request is expected to finish (at least 1). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
