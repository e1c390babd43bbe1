package dev.finetune.core.openai;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import java.util.Locale;

/**
 * The error body of the OpenAI-compatible surface ({@code /v1/...}): {@code {"error": {"message",
 * "type", "param", "code"}}}, the shape the OpenAI SDKs parse (their exceptions expose {@code code}
 * and {@code param}). The native API keeps RFC 9457 problems; both are made from the same
 * {@link PlatformProblem}, so the two surfaces never disagree on what went wrong.
 *
 * @param error the one member OpenAI's clients read
 */
public record OpenAiError(Body error) {

    /** Header that tells the OpenAI SDKs whether retrying the same request can help. */
    public static final String SHOULD_RETRY_HEADER = "x-should-retry";

    /**
     * @param message what went wrong, for a person (the problem's detail)
     * @param type OpenAI's error class, e.g. {@code invalid_request_error} (see {@link #typeOf})
     * @param param the request field or query parameter at fault, or null
     * @param code our stable problem slug in snake_case, e.g. {@code invalid_hyperparameter}
     */
    public record Body(String message, String type, String param, String code) {}

    /** The OpenAI body for {@code problem}; {@code param} is its {@code field} or {@code param} extension. */
    public static OpenAiError of(PlatformProblem problem) {
        Object param = problem.properties().getOrDefault("param", problem.properties().get("field"));
        return of(problem.kind(), problem.detail(), param == null ? null : param.toString());
    }

    public static OpenAiError of(ProblemKind kind, String message, String param) {
        return new OpenAiError(new Body(message, typeOf(kind), param, codeOf(kind)));
    }

    /** Our problem slug as OpenAI-style code: {@code invalid-hyperparameter -> invalid_hyperparameter}. */
    public static String codeOf(ProblemKind kind) {
        return kind.slug().replace('-', '_').toLowerCase(Locale.ROOT);
    }

    /** OpenAI's error {@code type} for the problem's HTTP status, as its API documents them. */
    public static String typeOf(ProblemKind kind) {
        return typeOf(kind.status());
    }

    /** OpenAI's error {@code type} for an HTTP status (serving's own errors have no {@link ProblemKind}). */
    public static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 409 -> "conflict_error";
            case 422 -> "unprocessable_entity_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /**
     * Whether the same request may succeed later: outages (503), rate limits and quota (429) and
     * internal faults can; a bad request, a missing resource or a state conflict cannot, so the
     * SDKs' automatic retries (which retry 409 by default) are told not to.
     */
    public static boolean retryable(ProblemKind kind) {
        return retryable(kind.status());
    }

    /** {@link #retryable(ProblemKind)} for an HTTP status. */
    public static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }
}
