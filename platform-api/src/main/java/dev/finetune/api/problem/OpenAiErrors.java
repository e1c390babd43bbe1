package dev.finetune.api.problem;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.finetune.core.openai.OpenAiError;
import dev.finetune.core.problem.PlatformProblem;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Errors of the OpenAI-compatible fine-tuning surface ({@code /v1/files}, {@code /v1/fine_tuning})
 * in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}} ({@link OpenAiError}),
 * made from the same {@link PlatformProblem} as the native API's RFC 9457 problems, so both surfaces
 * say the same thing. The problem's other extension members (a dataset's {@code errors} with
 * {@code line} and {@code field}, a quota's {@code limit}) follow inside {@code error} in snake_case;
 * the SDKs keep them as extra properties. {@code x-should-retry} tells the SDKs, which retry a 409 by
 * default, whether the same request can succeed later ({@link OpenAiError#retryable}). Every error
 * path of the API (controllers, the security chain, {@code /error}, Tomcat's valve) asks
 * {@link #owns} which shape a URL gets; {@code /api/v1} keeps its problems unchanged.
 */
public final class OpenAiErrors {

    private OpenAiErrors() {
    }

    /**
     * Whether {@code uri} belongs to this API's OpenAI-compatible surface. Only files and fine-tuning:
     * {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/models} are the serving
     * module's.
     */
    public static boolean owns(String uri) {
        if (uri == null) {
            return false;
        }
        return uri.equals("/v1/files") || uri.startsWith("/v1/files/")
                || uri.equals("/v1/fine_tuning") || uri.startsWith("/v1/fine_tuning/");
    }

    /** The body: OpenAI's four members, then the problem's other extensions in snake_case. */
    public static Map<String, Object> body(PlatformProblem problem) {
        OpenAiError.Body core = OpenAiError.of(problem).error();
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", core.message());
        error.put("type", core.type());
        error.put("param", core.param());
        error.put("code", core.code());
        for (Map.Entry<String, Object> e : problem.properties().entrySet()) {
            if (!e.getKey().equals("param") && !e.getKey().equals("field")) {
                error.putIfAbsent(snake(e.getKey()), e.getValue());
            }
        }
        return Map.of("error", error);
    }

    /** {@code true} or {@code false}: whether an SDK may retry the same request. */
    public static String shouldRetry(PlatformProblem problem) {
        return Boolean.toString(OpenAiError.retryable(problem.kind()));
    }

    public static ResponseEntity<Object> response(PlatformProblem problem) {
        var builder = ResponseEntity.status(problem.kind().status()).contentType(MediaType.APPLICATION_JSON)
                .header(OpenAiError.SHOULD_RETRY_HEADER, shouldRetry(problem));
        if (problem.kind().status() == 503) {
            builder.header(HttpHeaders.RETRY_AFTER, Problems.RETRY_AFTER_SECONDS);
        }
        return builder.body(body(problem));
    }

    /** The problem's own shape for {@code uri}: OpenAI's on the OpenAI surface, RFC 9457 elsewhere. */
    public static ResponseEntity<Object> responseFor(PlatformProblem problem, String uri) {
        if (owns(uri)) {
            return response(problem);
        }
        ResponseEntity<?> native_ = Problems.response(problem, uri);
        return ResponseEntity.status(native_.getStatusCode()).headers(native_.getHeaders()).body(native_.getBody());
    }

    static String snake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
