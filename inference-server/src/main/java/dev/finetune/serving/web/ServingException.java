package dev.finetune.serving.web;

/**
 * A request the serving surface refuses, with what OpenAI's clients read: the error kind (status and
 * code), the request field at fault ({@code param}, or null) and, for 429 and 503, how long to wait.
 */
public class ServingException extends RuntimeException {

    private final ServingError error;
    private final String param;
    private final Integer retryAfterSeconds;

    public ServingException(ServingError error, String message, String param) {
        this(error, message, param, null, null);
    }

    public ServingException(ServingError error, String message, String param, Integer retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.error = error;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ServingException invalid(String param, String message) {
        return new ServingException(ServingError.INVALID_VALUE, message, param);
    }

    public ServingError error() {
        return error;
    }

    public String param() {
        return param;
    }

    /** Seconds for {@code Retry-After}, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
