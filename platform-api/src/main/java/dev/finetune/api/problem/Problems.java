package dev.finetune.api.problem;

import java.net.URI;
import java.util.Map;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Builds RFC 9457 bodies from the platform's {@link ProblemKind} vocabulary. */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail detail(PlatformProblem problem, String instance) {
        ProblemKind kind = problem.kind();
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(kind.status()), problem.detail());
        body.setType(URI.create(kind.type()));
        body.setTitle(kind.title());
        if (instance != null) {
            try {
                body.setInstance(URI.create(instance));
            } catch (IllegalArgumentException unencodable) {
                // a hostile URL is no URI reference; the problem goes out without its instance
            }
        }
        for (Map.Entry<String, Object> e : problem.properties().entrySet()) {
            body.setProperty(e.getKey(), e.getValue());
        }
        // every JSON member in snake_case: a camelCase extension (jobId, requiredScope, currentVersion,
        // correlationId, ...) is also written as job_id, ...; the camelCase spelling stays, deprecated
        for (Map.Entry<String, Object> e : problem.properties().entrySet()) {
            String snake = OpenAiErrors.snake(e.getKey());
            if (!snake.equals(e.getKey()) && !problem.properties().containsKey(snake)) {
                body.setProperty(snake, e.getValue());
            }
        }
        return body;
    }

    public static ResponseEntity<ProblemDetail> response(PlatformProblem problem, String instance) {
        var builder = ResponseEntity.status(problem.kind().status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (problem.kind().status() == 503) {
            builder.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return builder.body(detail(problem, instance));
    }

    /**
     * The problem for an error status the server set without an exception of ours: the servlet
     * container's or Spring Security's refusals, rendered on {@code /error} or by Tomcat's error
     * valve. A 5xx here is the platform's fault and says only that.
     */
    public static PlatformProblem forStatus(int status, String method, String uri) {
        String where = (method == null ? "" : method + " ") + (uri == null ? "this URL" : uri);
        return switch (status) {
            case 401 -> new PlatformProblem(ProblemKind.UNAUTHENTICATED,
                    "send a valid, unrevoked API key as 'Authorization: Bearer ftk_...'");
            case 403 -> new PlatformProblem(ProblemKind.FORBIDDEN_SCOPE, "this API key may not do that");
            case 404 -> new PlatformProblem(ProblemKind.NOT_FOUND, "no endpoint " + where);
            case 405 -> new PlatformProblem(ProblemKind.METHOD_NOT_ALLOWED, "the method of " + where + " is not supported here");
            case 406 -> new PlatformProblem(ProblemKind.NOT_ACCEPTABLE, "cannot answer in the media types the Accept header asks for");
            case 413 -> new PlatformProblem(ProblemKind.PAYLOAD_TOO_LARGE, "the request body exceeds the size limit");
            case 414, 431 -> headTooLarge();
            case 415 -> new PlatformProblem(ProblemKind.UNSUPPORTED_MEDIA_TYPE, "the Content-Type is not accepted here");
            default -> status >= 500
                    ? new PlatformProblem(ProblemKind.INTERNAL, "an internal error occurred")
                    : new PlatformProblem(ProblemKind.REJECTED_REQUEST, "the request line, the URL or a header is malformed"
                            + " (a control character, an unencoded space, an encoded '/', or bad percent-encoding)");
        };
    }

    public static PlatformProblem headTooLarge() {
        return new PlatformProblem(ProblemKind.REQUEST_HEAD_TOO_LARGE,
                "the URL and headers together exceed the server's limit (8 KB); send long values in the body");
    }

    /** {@code Retry-After} of every 503: an outage of the database or the store; clients back off at least this long. */
    public static final String RETRY_AFTER_SECONDS = "5";
}
