package dev.finetune.engine.checkpoint;

/**
 * A checkpoint, config or safetensors file that cannot be read or written. The message always
 * names the file (or directory) concerned and says what is wrong, so it can be shown to a user
 * as is.
 */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
