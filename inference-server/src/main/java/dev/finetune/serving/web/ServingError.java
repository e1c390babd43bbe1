package dev.finetune.serving.web;

import dev.finetune.core.openai.OpenAiError;

/**
 * The errors of the serving surface that have no counterpart among the platform's problems, each
 * with its HTTP status and its stable OpenAI {@code code}. Every one is sent as
 * {@link dev.finetune.core.openai.OpenAiError}'s body; the SDKs expose {@code code} and {@code param}.
 */
public enum ServingError {
    /** A field of the body has the wrong type or value; {@code param} names it. */
    INVALID_VALUE(400, "invalid_value"),
    /** A field the request must carry is missing. */
    MISSING_REQUIRED_PARAMETER(400, "missing_required_parameter"),
    /** The body is not JSON, or not a JSON object. */
    INVALID_JSON(400, "invalid_json"),
    /** A setting OpenAI has that this server does not offer (n > 1, logprobs, tools, ...). */
    UNSUPPORTED_PARAMETER(400, "unsupported_parameter"),
    /** The prompt and the tokens asked for do not fit the base model's context. */
    CONTEXT_LENGTH_EXCEEDED(400, "context_length_exceeded"),
    INVALID_API_KEY(401, "invalid_api_key"),
    INSUFFICIENT_SCOPE(403, "insufficient_scope"),
    /** No base model, alias or version of that name in the caller's tenant (another tenant's is not found either). */
    MODEL_NOT_FOUND(404, "model_not_found"),
    UNKNOWN_URL(404, "unknown_url"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    /** The adapter was trained on a base model this process does not serve. */
    BASE_MODEL_NOT_SERVED(409, "base_model_not_served"),
    /** The adapter's files do not match the loaded base (its fingerprint differs). */
    BASE_MODEL_MISMATCH(409, "base_model_mismatch"),
    /** A merged pool answers one model only; the message names it for the tenant it belongs to. */
    MODEL_NOT_IN_MERGED_POOL(409, "model_not_in_merged_pool"),
    /** The adapter's files cannot be loaded: unreadable, unsupported, made for another base, targeting no module. */
    ADAPTER_LOAD_FAILED(422, "adapter_load_failed"),
    /** The decoder's KV memory is full: try again after {@code Retry-After} seconds. */
    DECODER_FULL(429, "decoder_full"),
    /** Every adapter slot is held by requests in flight or pinned: try again after {@code Retry-After}. */
    ADAPTER_CACHE_FULL(429, "adapter_cache_full"),
    /** A merged pool's alias moved to a version that could not be merged; the message says why. */
    MERGED_MODEL_UNAVAILABLE(503, "merged_model_unavailable"),
    /** Serving has not finished starting (local platform). */
    SERVING_STARTING(503, "serving_starting"),
    DATABASE_UNAVAILABLE(503, "database_unavailable"),
    STORAGE_UNAVAILABLE(503, "storage_unavailable"),
    /** A fault of this server; the message carries a correlation id that is logged. */
    INTERNAL(500, "internal_error");

    private final int status;
    private final String code;

    ServingError(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** OpenAI's error {@code type} for the status, named once for both /v1 surfaces ({@link OpenAiError#typeOf(int)}). */
    public String type() {
        return OpenAiError.typeOf(status);
    }

    /** Whether the same request can succeed later (the {@code x-should-retry} header). */
    public boolean retryable() {
        return OpenAiError.retryable(status);
    }
}
