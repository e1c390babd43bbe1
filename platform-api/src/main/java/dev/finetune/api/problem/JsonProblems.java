package dev.finetune.api.problem;

import java.util.Collection;

import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.core.json.InvalidJsonException;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Explains an unreadable JSON body the way a client can fix it: where the syntax broke (line and
 * column), which property is unknown (and which are known), which field has the wrong type, or
 * which field a constructor refused. Only Jackson's original message text is used, never an
 * exception's class name.
 */
final class JsonProblems {

    private JsonProblems() {
    }

    static PlatformProblem from(HttpMessageNotReadableException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof InvalidHyperparameterException hp) {
                return ProblemAdvice.hyperparameterProblem(hp);
            }
            if (c instanceof PlatformProblem platform) {
                return platform;
            }
            if (c instanceof InvalidJsonException json) {
                return new PlatformProblem(ProblemKind.VALIDATION, json.getMessage()).with("param", json.field());
            }
        }
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String param = path(unknown);
            return new PlatformProblem(ProblemKind.VALIDATION, "unknown field '" + param + "'"
                    + known(unknown.getKnownPropertyIds())).with("param", param);
        }
        if (cause instanceof JacksonException jackson && jackson.getCause() instanceof IllegalArgumentException refused) {
            String param = path(jackson);
            return new PlatformProblem(ProblemKind.VALIDATION, refused.getMessage()).with("param", param);
        }
        if (cause instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null && path(mismatch) != null) {
            String param = path(mismatch);
            return new PlatformProblem(ProblemKind.VALIDATION,
                    param + " must be " + typeName(mismatch.getTargetType())).with("param", param);
        }
        if (cause instanceof StreamReadException syntax) {
            PlatformProblem problem = new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                    "the body is not valid JSON: " + syntax.getOriginalMessage());
            TokenStreamLocation where = syntax.getLocation();
            if (where != null && where.getLineNr() > 0) {
                problem.with("line", where.getLineNr()).with("column", where.getColumnNr());
            }
            return problem;
        }
        if (cause instanceof JacksonException jackson) {
            String param = path(jackson);
            return new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                    (param == null ? "" : param + ": ") + jackson.getOriginalMessage()).with("param", param);
        }
        return new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "the request body is missing or cannot be read");
    }

    static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class || type.isEnum() || type == java.util.UUID.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty() || ids.size() > 40) {
            return "";
        }
        return "; known fields: " + ids.stream().map(Object::toString).sorted().toList();
    }

    /** The snake_case JSON path of the offending value, e.g. {@code hyperparameters.lora_r}. */
    static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
