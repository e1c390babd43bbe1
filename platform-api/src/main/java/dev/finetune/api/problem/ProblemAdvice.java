package dev.finetune.api.problem;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.core.job.IllegalJobTransitionException;
import dev.finetune.core.json.InvalidJsonException;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.StorageUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every error of every controller as an RFC 9457 {@code application/problem+json} response with a
 * {@link ProblemKind}'s stable type, title and status, a specific detail and extension members
 * ({@code param}, {@code line}, {@code column}, {@code errors}). Never a class name or a stack
 * trace; a client mistake is never a 500. A true 500 carries only a correlation id, which is logged
 * with the exception (the one place it is logged).
 */
@RestControllerAdvice
class ProblemAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(PlatformProblem.class)
    ResponseEntity<Object> platform(PlatformProblem e, HttpServletRequest request) {
        return respond(e, request);
    }

    @ExceptionHandler(InvalidHyperparameterException.class)
    ResponseEntity<Object> hyperparameter(InvalidHyperparameterException e, HttpServletRequest request) {
        return respond(hyperparameterProblem(e), request);
    }

    @ExceptionHandler(IllegalJobTransitionException.class)
    ResponseEntity<Object> transition(IllegalJobTransitionException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.ILLEGAL_TRANSITION,
                "job " + e.jobId() + " is " + e.from().wireName() + " and cannot become " + e.to().wireName())
                .with("jobId", e.jobId().toString()).with("status", e.from().wireName()), request);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<Object> concurrentChange(OptimisticLockingFailureException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.CONFLICT,
                "the resource was changed by someone else at the same time; read it again and retry"), request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException e, HttpServletRequest request) {
        log.info("Integrity violation on {}: {}", request.getRequestURI(), e.getMostSpecificCause().getMessage());
        return respond(new PlatformProblem(ProblemKind.CONFLICT,
                "the request conflicts with stored data (a duplicate name, or a resource still in use)"), request);
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<Object> invalidBody(MethodArgumentNotValidException e, HttpServletRequest request) {
        List<Map<String, Object>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.<String, Object>of("param", snake(f.getField()), "message", message(f))).toList();
        String first = errors.isEmpty() ? "the request body is invalid"
                : errors.get(0).get("param") + " " + errors.get(0).get("message");
        PlatformProblem problem = new PlatformProblem(ProblemKind.VALIDATION, first).with("errors", errors);
        if (!errors.isEmpty()) {
            problem.with("param", errors.get(0).get("param"));
        }
        return respond(problem, request);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<Object> invalidParameter(HandlerMethodValidationException e, HttpServletRequest request) {
        var result = e.getParameterValidationResults().isEmpty() ? null : e.getParameterValidationResults().get(0);
        String param = result == null ? null : result.getMethodParameter().getParameterName();
        String why = result == null || result.getResolvableErrors().isEmpty() ? "is invalid"
                : result.getResolvableErrors().get(0).getDefaultMessage();
        return respond(new PlatformProblem(ProblemKind.VALIDATION, param + " " + why).with("param", param), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        return respond(JsonProblems.from(e), request);
    }

    @ExceptionHandler(InvalidJsonException.class)
    ResponseEntity<Object> invalidJson(InvalidJsonException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.VALIDATION, e.getMessage()).with("param", e.field()), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Object> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.VALIDATION,
                "query parameter '" + e.getParameterName() + "' is required").with("param", e.getParameterName()), request);
    }

    @ExceptionHandler(MissingServletRequestPartException.class)
    ResponseEntity<Object> missingPart(MissingServletRequestPartException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.VALIDATION,
                "multipart part '" + e.getRequestPartName() + "' is required").with("param", e.getRequestPartName()), request);
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<Object> missingHeader(MissingRequestHeaderException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.VALIDATION,
                "header '" + e.getHeaderName() + "' is required").with("param", e.getHeaderName()), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String expected = e.getRequiredType() == null ? "another type" : JsonProblems.typeName(e.getRequiredType());
        return respond(new PlatformProblem(ProblemKind.VALIDATION,
                e.getName() + " must be " + expected + " but was '" + e.getValue() + "'").with("param", e.getName()), request);
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<Object> noHandler(Exception e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.NOT_FOUND,
                "no endpoint " + request.getMethod() + " " + request.getRequestURI()), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        PlatformProblem problem = new PlatformProblem(ProblemKind.METHOD_NOT_ALLOWED,
                request.getRequestURI() + " does not support " + e.getMethod()
                        + (e.getSupportedMethods() == null ? "" : "; use " + String.join(", ", e.getSupportedMethods())));
        ResponseEntity<Object> response = respond(problem, request);
        return e.getSupportedHttpMethods() == null ? response
                : ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                        .allow(e.getSupportedHttpMethods().toArray(org.springframework.http.HttpMethod[]::new))
                        .body(response.getBody());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + (e.getContentType() == null ? "(none)" : e.getContentType())
                        + " is not accepted here; use one of " + e.getSupportedMediaTypes()), request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Object> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.NOT_ACCEPTABLE,
                "cannot answer in the media types the Accept header asks for; available: " + e.getSupportedMediaTypes()), request);
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Object> tooLarge(MaxUploadSizeExceededException e, HttpServletRequest request) {
        PlatformProblem problem = new PlatformProblem(ProblemKind.PAYLOAD_TOO_LARGE, "the upload exceeds the size limit");
        if (e.getMaxUploadSize() > 0) {
            problem.with("maxBytes", e.getMaxUploadSize());
        }
        return respond(problem, request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> multipart(MultipartException e, HttpServletRequest request) {
        return respond(new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                "the multipart body cannot be read (truncated, or a bad boundary)"), request);
    }

    /** The store is down or unreachable: an outage, logged in one line, not a bug with a stack trace. */
    @ExceptionHandler(StorageUnavailableException.class)
    ResponseEntity<Object> storageDown(StorageUnavailableException e, HttpServletRequest request) {
        log.warn("Object storage unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return respond(Outages.storageUnavailable(), request);
    }

    /** PostgreSQL is down or unreachable (no connection within Hikari's short connection timeout). */
    @ExceptionHandler({CannotCreateTransactionException.class, DataAccessResourceFailureException.class})
    ResponseEntity<Object> databaseDown(Exception e, HttpServletRequest request) {
        return databaseOrUnexpected(e, request);
    }

    private ResponseEntity<Object> databaseOrUnexpected(Exception e, HttpServletRequest request) {
        if (!Outages.isDatabaseUnavailable(e)) {
            return unexpected(e, request);
        }
        log.warn("Database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(),
                Outages.rootMessage(e));
        return respond(Outages.databaseUnavailable(), request);
    }

    @ExceptionHandler(ArtifactStoreException.class)
    ResponseEntity<Object> storage(ArtifactStoreException e, HttpServletRequest request) {
        String correlation = UUID.randomUUID().toString();
        log.error("Object storage failed [{}] on {} {}", correlation, request.getMethod(), request.getRequestURI(), e);
        return respond(new PlatformProblem(ProblemKind.STORAGE_UNAVAILABLE,
                "object storage did not answer; retry later").with("correlationId", correlation), request);
    }

    /** The client went away (an SSE stream closed): there is no one to answer. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone() {
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        if (Outages.isDatabaseUnavailable(e)) {
            log.warn("Database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return respond(Outages.databaseUnavailable(), request);
        }
        if (Outages.isStorageUnavailable(e)) {
            log.warn("Object storage unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return respond(Outages.storageUnavailable(), request);
        }
        String correlation = UUID.randomUUID().toString();
        log.error("Unhandled error [{}] on {} {}", correlation, request.getMethod(), request.getRequestURI(), e);
        return respond(new PlatformProblem(ProblemKind.INTERNAL,
                "an internal error occurred; quote correlation id " + correlation + " when reporting it")
                .with("correlationId", correlation), request);
    }

    static PlatformProblem hyperparameterProblem(InvalidHyperparameterException e) {
        String param = "hyperparameters." + e.field();
        return new PlatformProblem(ProblemKind.INVALID_HYPERPARAMETER, "hyperparameters." + e.getMessage())
                .with("param", param);
    }

    /** RFC 9457 problems, or OpenAI's error body on the OpenAI-compatible surface ({@link OpenAiErrors#owns}). */
    private static ResponseEntity<Object> respond(PlatformProblem problem, HttpServletRequest request) {
        return OpenAiErrors.responseFor(problem, request.getRequestURI());
    }

    private static String message(FieldError f) {
        return f.getDefaultMessage() == null ? "is invalid" : f.getDefaultMessage();
    }

    /** Bean validation reports Java property paths; the wire uses snake_case. */
    static String snake(String javaPath) {
        return javaPath.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
