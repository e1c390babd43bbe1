package dev.finetune.engine.peft;

/** An adapter directory that cannot be applied: unreadable, unsupported, or made for another base. */
public class AdapterLoadException extends RuntimeException {

    public AdapterLoadException(String message) {
        super(message);
    }

    public AdapterLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
