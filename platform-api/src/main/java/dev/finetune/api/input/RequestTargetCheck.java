package dev.finetune.api.input;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import dev.finetune.api.problem.ProblemWriter;
import dev.finetune.core.common.Checks;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks the URL before anything reads it: every query parameter must decode ({@code ?ref=%%%} is
 * a 400 naming {@code ref}, not a 500 from deep inside the container) and neither the path nor a
 * query parameter may carry a control character (a dataset name with CR/LF, a tag key with NUL),
 * so nothing of the kind is ever stored or looked up. Parses the query string itself: asking the
 * container for parameters would also read a multipart body before its size limit is checked.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestTargetCheck extends OncePerRequestFilter {

    private final ProblemWriter problems;

    RequestTargetCheck(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        PlatformProblem problem = problem(request.getRequestURI(), request.getQueryString());
        if (problem != null) {
            problems.write(request, response, problem);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The first thing wrong with the path or the query string, or null. */
    static PlatformProblem problem(String path, String query) {
        String decodedPath = decode(path == null ? "" : path.replace("+", "%2B"));
        if (decodedPath == null || Checks.hasControlCharacter(decodedPath)) {
            return new PlatformProblem(ProblemKind.VALIDATION, decodedPath == null
                    ? "the URL path is not valid percent-encoding ('%' must be followed by two hex digits)"
                    : "the URL path must not contain control characters (line breaks, tabs, NUL)").with("param", "path");
        }
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(rawName);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            String named = name == null || Checks.hasControlCharacter(name) ? printable(rawName) : name;
            if (name == null || value == null) {
                return new PlatformProblem(ProblemKind.VALIDATION, "query parameter '" + named
                        + "' is not valid percent-encoding ('%' must be followed by two hex digits)").with("param", named);
            }
            if (Checks.hasControlCharacter(name) || Checks.hasControlCharacter(value)) {
                return new PlatformProblem(ProblemKind.VALIDATION, "query parameter '" + named
                        + "' must not contain control characters (line breaks, tabs, NUL)").with("param", named);
            }
        }
        return null;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String printable(String raw) {
        String visible = raw.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return visible.length() > 64 ? visible.substring(0, 64) : visible;
    }
}
