package dev.finetune.core.problem;

/**
 * Every kind of problem the platform reports, with its RFC 9457 {@code type} (a stable,
 * documented URI: {@code https://finetune.dev/problems/<slug>}), fixed {@code title} and HTTP
 * status. Modules add kinds here rather than inventing ad-hoc error bodies.
 */
public enum ProblemKind {
    VALIDATION("validation", "Request is invalid", 400),
    MALFORMED_REQUEST("malformed-request", "Request body cannot be read", 400),
    /** The URL, the request line or a header is malformed or unsafe; refused before any endpoint sees it. */
    REJECTED_REQUEST("rejected-request", "Request URL or header is malformed", 400),
    INVALID_HYPERPARAMETER("invalid-hyperparameter", "Hyperparameter is invalid", 400),
    INVALID_DATASET("invalid-dataset", "Dataset has invalid records", 422),
    INVALID_BASE_MODEL("invalid-base-model", "Base model files are incomplete or unsupported", 422),
    UNAUTHENTICATED("unauthenticated", "Missing or invalid API key", 401),
    FORBIDDEN_SCOPE("forbidden-scope", "API key lacks the required scope", 403),
    NOT_FOUND("not-found", "Resource not found", 404),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed on this resource", 405),
    NOT_ACCEPTABLE("not-acceptable", "No acceptable representation", 406),
    CONFLICT("conflict", "Request conflicts with the resource's current state", 409),
    ILLEGAL_TRANSITION("illegal-transition", "Job cannot make that status change", 409),
    IDEMPOTENCY_MISMATCH("idempotency-mismatch", "Idempotency key reused with a different request", 422),
    PAYLOAD_TOO_LARGE("payload-too-large", "Upload exceeds the size limit", 413),
    REQUEST_HEAD_TOO_LARGE("request-head-too-large", "URL and headers are too large", 431),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Content type is not supported", 415),
    PROMOTION_BLOCKED("promotion-blocked", "Promotion blocked by the repository's gate", 409),
    BASE_MODEL_MISMATCH("base-model-mismatch", "Adapter belongs to a different base model", 409),
    QUOTA_EXCEEDED("quota-exceeded", "Tenant quota exceeded", 429),
    STORAGE_UNAVAILABLE("storage-unavailable", "Object storage is unavailable", 503),
    DATABASE_UNAVAILABLE("database-unavailable", "Database is unavailable", 503),
    /** A fault of the platform, not the request; the response carries only a correlation id that is logged. */
    INTERNAL("internal-error", "Internal error", 500);

    public static final String TYPE_BASE = "https://finetune.dev/problems/";

    private final String slug;
    private final String title;
    private final int status;

    ProblemKind(String slug, String title, int status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
    }

    public String slug() {
        return slug;
    }

    public String type() {
        return TYPE_BASE + slug;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }
}
