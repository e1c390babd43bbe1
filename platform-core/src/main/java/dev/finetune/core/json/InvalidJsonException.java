package dev.finetune.core.json;

/**
 * JSON that could not be turned into a typed value. {@link #field()} is the snake_case path of the
 * offending property ({@code lora_r}, {@code target_modules[2]}) or null when the whole document
 * is at fault; API layers report it as the error's {@code param}.
 */
public class InvalidJsonException extends IllegalArgumentException {

    private final String field;

    public InvalidJsonException(String field, String message) {
        super(message);
        this.field = field;
    }

    public InvalidJsonException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
