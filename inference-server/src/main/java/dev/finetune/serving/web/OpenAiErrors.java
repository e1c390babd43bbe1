package dev.finetune.serving.web;

import java.io.IOException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;

import dev.finetune.core.openai.OpenAiError;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.storage.StorageUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns anything that ends a request into OpenAI's error response: {@code {"error": {message, type,
 * param, code}}} ({@link OpenAiError}) with {@code x-should-retry} and, for 429/503,
 * {@code Retry-After}. Used by the controllers' advice, the key filter and the streaming writer,
 * so no path of this surface answers in another shape.
 */
public final class OpenAiErrors {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrors.class);
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long clients are told to wait while a store or the database is down. */
    static final int OUTAGE_RETRY_SECONDS = 5;

    private OpenAiErrors() {
    }

    /** What an error becomes: status, body and the retry headers. */
    public record Rendered(int status, OpenAiError body, boolean retryable, Integer retryAfterSeconds) {

        public ResponseEntity<OpenAiError> entity() {
            ResponseEntity.BodyBuilder b = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                    .header(OpenAiError.SHOULD_RETRY_HEADER, Boolean.toString(retryable));
            if (retryAfterSeconds != null) {
                b.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds.toString());
            }
            return b.body(body);
        }

        /** Writes it on a response nothing has been written to yet. */
        public void write(HttpServletResponse response) throws IOException {
            response.setStatus(status);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.setHeader(OpenAiError.SHOULD_RETRY_HEADER, Boolean.toString(retryable));
            if (retryAfterSeconds != null) {
                response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds.toString());
            }
            response.getOutputStream().write(JSON.writeValueAsBytes(body));
            response.flushBuffer();
        }
    }

    public static Rendered of(ServingError error, String message, String param) {
        return of(new ServingException(error, message, param));
    }

    public static Rendered of(Throwable failure) {
        if (failure instanceof ServingException e) {
            return new Rendered(e.error().status(), body(e.error(), e.getMessage(), e.param()), e.error().retryable(),
                    e.retryAfterSeconds() != null ? e.retryAfterSeconds()
                            : e.error().retryable() ? Integer.valueOf(OUTAGE_RETRY_SECONDS) : null);
        }
        if (failure instanceof PlatformProblem p) {
            return new Rendered(p.kind().status(), OpenAiError.of(p), OpenAiError.retryable(p.kind()),
                    OpenAiError.retryable(p.kind()) ? OUTAGE_RETRY_SECONDS : null);
        }
        if (failure instanceof StorageUnavailableException) {
            log.warn("Object storage unavailable: {}", failure.getMessage());
            return of(new ServingException(ServingError.STORAGE_UNAVAILABLE,
                    "object storage cannot be reached, so the model's files cannot be fetched; try again shortly", null,
                    OUTAGE_RETRY_SECONDS, failure));
        }
        if (isDatabaseUnavailable(failure)) {
            log.warn("Database unavailable: {}", failure.toString());
            return of(new ServingException(ServingError.DATABASE_UNAVAILABLE,
                    "the database cannot be reached, so keys and models cannot be checked; try again shortly", null,
                    OUTAGE_RETRY_SECONDS, failure));
        }
        String id = UUID.randomUUID().toString();
        log.error("Internal error {} while serving", id, failure);
        return new Rendered(HttpStatus.INTERNAL_SERVER_ERROR.value(),
                body(ServingError.INTERNAL, "internal error; quote correlation id " + id + " when reporting it", null),
                true, null);
    }

    static OpenAiError body(ServingError error, String message, String param) {
        return new OpenAiError(new OpenAiError.Body(message, error.type(), param, error.code()));
    }

    /** A refused or timed-out connection to PostgreSQL, however Spring, Hibernate or Hikari wrapped it. */
    static boolean isDatabaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
                    || t instanceof SQLTransientConnectionException || t instanceof java.net.ConnectException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }
}
