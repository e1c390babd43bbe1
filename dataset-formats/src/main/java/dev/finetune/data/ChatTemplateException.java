package dev.finetune.data;

/** A chat template could not render a conversation (including its own {@code raise_exception}). */
public class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
