package dev.finetune.api.problem;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.finetune.core.hyperparameters.InvalidHyperparameterException;
import dev.finetune.core.json.InvalidJsonException;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Explains an unreadable JSON body the way a client can fix it: where the syntax broke (line and
 * column), which property is unknown (and which are known), which field has the wrong type, or
 * which field a constructor refused, which key is duplicated, which limit was exceeded. Only
 * Jackson's original message text is used, stripped of the class, feature and setting names it
 * adds for programmers; never an exception's class name.
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
                return new PlatformProblem(ProblemKind.VALIDATION, plain(json.getMessage())).with("param", json.field());
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
            return withParam(new PlatformProblem(ProblemKind.VALIDATION, plain(refused.getMessage())), param);
        }
        if (cause instanceof StreamConstraintsException limit) {
            return located(new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "the body exceeds a limit: " + limit(limit)), limit);
        }
        if (cause instanceof StreamReadException syntax) {
            String duplicate = duplicateKey(syntax.getOriginalMessage());
            if (duplicate != null) {
                return located(new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "duplicate key '" + duplicate
                        + "': each key may appear once in an object").with("param", duplicate), syntax);
            }
            return located(new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                    "the body is not valid JSON: " + plain(syntax.getOriginalMessage())), syntax);
        }
        if (cause instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String param = path(mismatch);
            if (param == null) {
                return located(new PlatformProblem(ProblemKind.VALIDATION,
                        "the body must be " + typeName(mismatch.getTargetType())), mismatch);
            }
            String duplicate = duplicateKey(mismatch.getOriginalMessage());
            if (duplicate != null) {
                return located(new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "duplicate key '" + duplicate
                        + "' in " + param + ": each key may appear once in an object").with("param", param), mismatch);
            }
            return located(new PlatformProblem(ProblemKind.VALIDATION,
                    param + " must be " + typeName(mismatch.getTargetType()) + found(mismatch)).with("param", param), mismatch);
        }
        if (cause instanceof JacksonException jackson) {
            String param = path(jackson);
            return withParam(located(new PlatformProblem(ProblemKind.MALFORMED_REQUEST,
                    (param == null ? "" : param + ": ") + plain(jackson.getOriginalMessage())), jackson), param);
        }
        return new PlatformProblem(ProblemKind.MALFORMED_REQUEST, "the request body is missing or cannot be read");
    }

    /** Jackson's own words, less the class, feature and setting names it adds for programmers. */
    static String plain(String message) {
        if (message == null) {
            return "cannot be read";
        }
        String text = message
                .replaceAll("\\s*\\(?[,;:]?\\s*(?:or )?enable `[^`]*`(?: to allow)?\\)?", "")
                .replaceAll(",? from `[^`]*`", "")
                .replaceAll("\\s*\\(token `[^`]*`\\)", "")
                .replaceAll("\\s*\\(for `[^`]*`\\)", "")
                .replaceAll("`[a-z][\\w$]*(?:\\.[\\w$]+)+`", "the expected type")
                .replaceAll("`([^`]*)`", "$1")
                .trim();
        return IMPLEMENTATION.matcher(text).find() ? "it cannot be read here" : text;
    }

    /** Names that must never reach a client; a message still carrying one is replaced, not shown. */
    private static final Pattern IMPLEMENTATION = Pattern.compile(
            "\\b(?:java|javax|jakarta|tools|com|org|dev)\\.[a-z]|Jackson|Json[A-Z]|Stream[A-Z]|Feature\\b|Exception");

    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate (?:Object property|field) [\"']([^\"']*)[\"']");

    private static String duplicateKey(String message) {
        Matcher m = DUPLICATE.matcher(message == null ? "" : message);
        return m.find() ? m.group(1) : null;
    }

    private static String limit(StreamConstraintsException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher m = Pattern.compile("^(Number value|String value|Document nesting depth|Name) ?(?:length)? ?\\((\\d+)\\) exceeds the maximum allowed \\((\\d+)")
                .matcher(message);
        if (!m.find()) {
            return plain(message);
        }
        String what = switch (m.group(1)) {
            case "Number value" -> "a number has " + m.group(2) + " digits; at most " + m.group(3) + " are accepted";
            case "String value" -> "a string has " + m.group(2) + " characters; at most " + m.group(3) + " are accepted";
            case "Document nesting depth" -> "objects and arrays nest " + m.group(2) + " deep; at most " + m.group(3)
                    + " levels are accepted";
            default -> "a key has " + m.group(2) + " characters; at most " + m.group(3) + " are accepted";
        };
        return what;
    }

    private static String found(MismatchedInputException e) {
        JsonToken token = e.processor() instanceof tools.jackson.core.JsonParser p ? p.currentToken() : null;
        if (token == null) {
            return "";
        }
        return switch (token) {
            case VALUE_STRING -> ", not a string";
            case VALUE_NUMBER_INT -> ", not an integer";
            case VALUE_NUMBER_FLOAT -> ", not a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> ", not true or false";
            case START_ARRAY -> ", not an array";
            case START_OBJECT -> ", not an object";
            case VALUE_NULL -> ", not null";
            default -> "";
        };
    }

    /** Line and column of the offending token, when Jackson knows them. */
    private static PlatformProblem located(PlatformProblem problem, JacksonException e) {
        TokenStreamLocation where = e.getLocation();
        if (where != null && where.getLineNr() > 0) {
            problem.with("line", where.getLineNr()).with("column", where.getColumnNr());
        }
        return problem;
    }

    private static PlatformProblem withParam(PlatformProblem problem, String param) {
        return param == null ? problem : problem.with("param", param);
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
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object";
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
