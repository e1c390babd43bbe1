package dev.finetune.data.tokenizer;

/** A tokenizer could not be loaded or used; the message names the file or value at fault. */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
