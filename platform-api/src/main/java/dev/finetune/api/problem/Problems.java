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
            body.setInstance(URI.create(instance));
        }
        for (Map.Entry<String, Object> e : problem.properties().entrySet()) {
            body.setProperty(e.getKey(), e.getValue());
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

    /** {@code Retry-After} of every 503: an outage of the database or the store; clients back off at least this long. */
    public static final String RETRY_AFTER_SECONDS = "5";
}
