package dev.finetune.core.problem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error a client can act on: its kind (type, title, status), a specific detail and extension
 * fields such as {@code field}, {@code line} or {@code jobId}. The API turns it into an RFC 9457
 * problem response; never a class name or stack trace.
 */
public class PlatformProblem extends RuntimeException {

    private final ProblemKind kind;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public PlatformProblem(ProblemKind kind, String detail) {
        super(detail);
        this.kind = kind;
    }

    /** Adds an extension member (e.g. {@code field}, {@code line}); returns this for chaining. */
    public PlatformProblem with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public ProblemKind kind() {
        return kind;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public static PlatformProblem notFound(String what, Object id) {
        return new PlatformProblem(ProblemKind.NOT_FOUND, what + " " + id + " does not exist").with("resource", what);
    }
}
