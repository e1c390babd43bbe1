package dev.finetune.serving.web;

import dev.finetune.core.openai.OpenAiError;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every failure of a serving endpoint as OpenAI's error body ({@link OpenAiErrors}); never Boot's error page. */
@RestControllerAdvice
public class OpenAiExceptionHandler {

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<OpenAiError> unknownUrl(HttpServletRequest request) {
        return OpenAiErrors.of(ServingError.UNKNOWN_URL, "unknown URL " + request.getMethod() + " " + request.getRequestURI()
                + "; this server answers POST /v1/chat/completions, POST /v1/completions and GET /v1/models", null).entity();
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<OpenAiError> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        ResponseEntity<OpenAiError> r = OpenAiErrors.of(ServingError.METHOD_NOT_ALLOWED, request.getMethod() + " is not "
                + "allowed on " + request.getRequestURI() + "; use " + e.getSupportedHttpMethods(), null).entity();
        return ResponseEntity.status(r.getStatusCode()).headers(r.getHeaders())
                .header(HttpHeaders.ALLOW, e.getSupportedHttpMethods() == null ? ""
                        : String.join(", ", e.getSupportedHttpMethods().stream().map(Object::toString).toList()))
                .body(r.getBody());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, HttpMediaTypeNotSupportedException.class,
        HttpMediaTypeNotAcceptableException.class})
    ResponseEntity<OpenAiError> unreadable(Exception e) {
        return OpenAiErrors.of(ServingError.INVALID_JSON, "the request body cannot be read: send a JSON object with "
                + "Content-Type: application/json", null).entity();
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<OpenAiError> any(Exception e) {
        return OpenAiErrors.of(e).entity();
    }
}
