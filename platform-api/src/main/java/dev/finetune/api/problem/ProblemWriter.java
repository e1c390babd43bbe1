package dev.finetune.api.problem;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.finetune.core.openai.OpenAiError;
import dev.finetune.core.problem.PlatformProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem straight to the servlet response, for code that runs before Spring MVC (security filters):
 * RFC 9457, or OpenAI's error body on the OpenAI-compatible surface ({@link OpenAiErrors#owns}).
 */
@Component
public class ProblemWriter {

    private final JsonMapper json;

    ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    public void write(HttpServletRequest request, HttpServletResponse response, PlatformProblem problem) throws IOException {
        if (OpenAiErrors.owns(request.getRequestURI())) {
            response.setStatus(problem.kind().status());
            response.setHeader(OpenAiError.SHOULD_RETRY_HEADER, OpenAiErrors.shouldRetry(problem));
            if (problem.kind().status() == 503) {
                response.setHeader(org.springframework.http.HttpHeaders.RETRY_AFTER, Problems.RETRY_AFTER_SECONDS);
            }
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getOutputStream().write(json.writeValueAsBytes(OpenAiErrors.body(problem)));
            return;
        }
        ProblemDetail detail = Problems.detail(problem, request.getRequestURI());
        response.setStatus(detail.getStatus());
        if (detail.getStatus() == 503) {
            response.setHeader(org.springframework.http.HttpHeaders.RETRY_AFTER, Problems.RETRY_AFTER_SECONDS);
        }
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(asMap(detail)));
    }

    /** The members in RFC 9457 order, extensions last (the same shape MVC's converter writes). */
    public static Map<String, Object> asMap(ProblemDetail detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", detail.getType().toString());
        body.put("title", detail.getTitle());
        body.put("status", detail.getStatus());
        body.put("detail", detail.getDetail());
        if (detail.getInstance() != null) {
            body.put("instance", detail.getInstance().toString());
        }
        if (detail.getProperties() != null) {
            body.putAll(detail.getProperties());
        }
        return body;
    }
}
