package dev.finetune.serving.web;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.finetune.data.Role;
import dev.finetune.data.Turn;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A {@code /v1/chat/completions} or {@code /v1/completions} body, read field by field so that
 * every wrong type or value is a 400 naming its {@code param} (as OpenAI's own errors do), while
 * fields this server does not know are ignored (OpenAI's clients send many). Settings OpenAI has
 * and this server does not offer are refused when set to anything but their neutral value, never
 * silently dropped.
 *
 * @param messages the chat turns (chat), else null
 * @param prompt the prompt (completions), else null
 * @param maxTokens {@code max_tokens} or {@code max_completion_tokens}, or null for the server's default
 * @param temperature 0 = greedy; OpenAI's default is 1
 * @param seed {@code seed}, or a random one when absent
 */
public record CompletionRequest(String model, List<Turn> messages, String prompt, Integer maxTokens, float temperature,
        float topP, long seed, List<String> stop, boolean stream, boolean includeUsage) {

    static final int MAX_STOP = 4;
    private static final SecureRandom SEEDS = new SecureRandom();

    public boolean chat() {
        return messages != null;
    }

    static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            throw new ServingException(ServingError.INVALID_JSON, "the request body is empty; send a JSON object", null);
        }
        JsonNode node;
        try {
            node = OpenAiErrors.JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ServingException(ServingError.INVALID_JSON, "the request body is not valid JSON: "
                    + e.getOriginalMessage(), null);
        }
        if (node == null || !node.isObject()) {
            throw new ServingException(ServingError.INVALID_JSON, "the request body must be a JSON object", null);
        }
        return node;
    }

    public static CompletionRequest chat(String body) {
        JsonNode json = parseBody(body);
        return read(json, messages(json), null);
    }

    public static CompletionRequest completion(String body) {
        JsonNode json = parseBody(body);
        return read(json, null, prompt(json));
    }

    private static CompletionRequest read(JsonNode json, List<Turn> messages, String prompt) {
        String model = requiredString(json, "model");
        Integer n = optionalInt(json, "n", 1, Integer.MAX_VALUE);
        if (n != null && n != 1) {
            throw new ServingException(ServingError.UNSUPPORTED_PARAMETER,
                    "n must be 1: this server returns one choice per request (send " + n + " requests instead)", "n");
        }
        Integer maxTokens = optionalInt(json, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = optionalInt(json, "max_tokens", 1, Integer.MAX_VALUE);
        }
        Double temperature = optionalNumber(json, "temperature", 0, 2);
        Double topP = optionalNumber(json, "top_p", 0, 1);
        if (topP != null && topP == 0) {
            throw ServingException.invalid("top_p", "top_p must be greater than 0 and at most 1, got 0");
        }
        Long seed = optionalLong(json, "seed");
        boolean stream = optionalBoolean(json, "stream", false);
        boolean includeUsage = false;
        JsonNode options = present(json, "stream_options");
        if (options != null) {
            if (!options.isObject()) {
                throw ServingException.invalid("stream_options", "stream_options must be an object such as {\"include_usage\": true}");
            }
            includeUsage = optionalBoolean(options, "include_usage", "stream_options.include_usage", false);
        }
        refuseUnsupported(json, messages != null);
        return new CompletionRequest(model, messages, prompt, maxTokens, temperature == null ? 1f : temperature.floatValue(),
                topP == null ? 1f : topP.floatValue(), seed == null ? SEEDS.nextLong() : seed, stop(json), stream,
                includeUsage);
    }

    private static List<Turn> messages(JsonNode json) {
        JsonNode node = present(json, "messages");
        if (node == null) {
            throw new ServingException(ServingError.MISSING_REQUIRED_PARAMETER, "messages is required: a non-empty array of "
                    + "{\"role\": ..., \"content\": ...}", "messages");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ServingException.invalid("messages", "messages must be a non-empty array of {\"role\": ..., \"content\": ...}");
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode m = node.get(i);
            if (!m.isObject()) {
                throw ServingException.invalid(at, at + " must be an object with role and content");
            }
            String role = requiredString(m, "role", at + ".role");
            Role r = switch (role) {
                case "system", "developer" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                case "tool" -> Role.TOOL;
                default -> throw ServingException.invalid(at + ".role", at + ".role must be one of system, developer, user, "
                        + "assistant, tool; got '" + role + "'");
            };
            turns.add(new Turn(r, content(m, at, r)));
        }
        return turns;
    }

    /** A string, or an array of text parts ({@code {"type": "text", "text": ...}}) joined without separator. */
    private static String content(JsonNode m, String at, Role role) {
        JsonNode c = present(m, "content");
        String param = at + ".content";
        if (c == null) {
            if (role == Role.ASSISTANT) {
                return ""; // an assistant turn that only called tools has no content
            }
            throw new ServingException(ServingError.MISSING_REQUIRED_PARAMETER, param + " is required", param);
        }
        if (c.isString()) {
            return c.stringValue();
        }
        if (c.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < c.size(); j++) {
                JsonNode part = c.get(j);
                String partAt = param + "[" + j + "]";
                String type = part.isObject() ? requiredString(part, "type", partAt + ".type") : null;
                if (!"text".equals(type)) {
                    throw ServingException.invalid(partAt + ".type", partAt + " must be a text part "
                            + "({\"type\": \"text\", \"text\": ...}); this server takes text only" + (type == null ? "" : ", not '" + type + "'"));
                }
                text.append(requiredString(part, "text", partAt + ".text"));
            }
            return text.toString();
        }
        throw ServingException.invalid(param, param + " must be a string or an array of text parts");
    }

    private static String prompt(JsonNode json) {
        JsonNode node = present(json, "prompt");
        if (node == null) {
            throw new ServingException(ServingError.MISSING_REQUIRED_PARAMETER, "prompt is required: a string", "prompt");
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isArray() && node.size() == 1 && node.get(0).isString()) {
            return node.get(0).stringValue();
        }
        if (node.isArray() && node.size() > 1) {
            throw new ServingException(ServingError.UNSUPPORTED_PARAMETER, "prompt must be one string: this server "
                    + "completes one prompt per request (send " + node.size() + " requests instead)", "prompt");
        }
        throw ServingException.invalid("prompt", "prompt must be a string (token arrays are not accepted)");
    }

    private static List<String> stop(JsonNode json) {
        JsonNode node = present(json, "stop");
        if (node == null) {
            return List.of();
        }
        if (node.isString()) {
            return node.stringValue().isEmpty() ? List.of() : List.of(node.stringValue());
        }
        if (!node.isArray() || node.size() > MAX_STOP) {
            throw ServingException.invalid("stop", "stop must be a string or an array of at most " + MAX_STOP + " strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isString()) {
                throw ServingException.invalid("stop[" + i + "]", "stop[" + i + "] must be a string");
            }
            if (!node.get(i).stringValue().isEmpty()) {
                out.add(node.get(i).stringValue());
            }
        }
        return List.copyOf(out);
    }

    /** OpenAI settings this server has no equivalent for: refused unless neutral. */
    private static void refuseUnsupported(JsonNode json, boolean chat) {
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            Double v = optionalNumber(json, penalty, -2, 2);
            if (v != null && v != 0) {
                throw unsupported(penalty, penalty + " is not supported by this server; leave it out or send 0");
            }
        }
        JsonNode bias = present(json, "logit_bias");
        if (bias != null && !(bias.isObject() && bias.isEmpty())) {
            throw unsupported("logit_bias", "logit_bias is not supported by this server; leave it out");
        }
        JsonNode logprobs = present(json, "logprobs");
        if (logprobs != null && !(logprobs.isBoolean() && !logprobs.booleanValue())) {
            throw unsupported("logprobs", "logprobs are not returned by this server; leave it out or send false");
        }
        if (present(json, "top_logprobs") != null) {
            throw unsupported("top_logprobs", "top_logprobs are not returned by this server; leave it out");
        }
        JsonNode tools = present(json, "tools");
        if (tools != null && !(tools.isArray() && tools.isEmpty())) {
            throw unsupported("tools", "tool calls are not supported by this server; leave tools out");
        }
        JsonNode format = present(json, "response_format");
        if (format != null && !(format.isObject() && "text".equals(format.path("type").asString("")))) {
            throw unsupported("response_format", "only {\"type\": \"text\"} is supported as response_format");
        }
        if (!chat) {
            JsonNode echo = present(json, "echo");
            if (echo != null && !(echo.isBoolean() && !echo.booleanValue())) {
                throw unsupported("echo", "echo is not supported by this server; leave it out or send false");
            }
            Integer bestOf = optionalInt(json, "best_of", 1, Integer.MAX_VALUE);
            if (bestOf != null && bestOf != 1) {
                throw unsupported("best_of", "best_of must be 1 on this server");
            }
            JsonNode suffix = present(json, "suffix");
            if (suffix != null && !(suffix.isString() && suffix.stringValue().isEmpty())) {
                throw unsupported("suffix", "suffix (insertion) is not supported by this server; leave it out");
            }
        }
    }

    private static ServingException unsupported(String param, String message) {
        return new ServingException(ServingError.UNSUPPORTED_PARAMETER, message, param);
    }

    /** The member, or null when absent or JSON null (OpenAI's clients send null for "not set"). */
    private static JsonNode present(JsonNode json, String name) {
        JsonNode v = json.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String requiredString(JsonNode json, String name) {
        return requiredString(json, name, name);
    }

    private static String requiredString(JsonNode json, String name, String param) {
        JsonNode v = present(json, name);
        if (v == null) {
            throw new ServingException(ServingError.MISSING_REQUIRED_PARAMETER, param + " is required", param);
        }
        if (!v.isString()) {
            throw ServingException.invalid(param, param + " must be a string, got " + kind(v));
        }
        if (name.equals("model") && (v.stringValue().isBlank() || v.stringValue().length() > 256)) {
            throw ServingException.invalid(param, "model must name a base model, 'segment@alias' or 'segment/N' "
                    + "(1-256 characters)");
        }
        return v.stringValue();
    }

    private static Integer optionalInt(JsonNode json, String name, int min, int max) {
        JsonNode v = present(json, name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ServingException.invalid(name, name + " must be an integer, got " + kind(v));
        }
        int i = v.intValue();
        if (i < min || i > max) {
            throw ServingException.invalid(name, name + " must be " + (max == Integer.MAX_VALUE ? ">= " + min
                    : "between " + min + " and " + max) + ", got " + i);
        }
        return i;
    }

    private static Long optionalLong(JsonNode json, String name) {
        JsonNode v = present(json, name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ServingException.invalid(name, name + " must be an integer, got " + kind(v));
        }
        return v.longValue();
    }

    private static Double optionalNumber(JsonNode json, String name, double min, double max) {
        JsonNode v = present(json, name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw ServingException.invalid(name, name + " must be a number, got " + kind(v));
        }
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw ServingException.invalid(name, name + " must be between " + trim(min) + " and " + trim(max) + ", got " + d);
        }
        return d;
    }

    private static boolean optionalBoolean(JsonNode json, String name, boolean fallback) {
        return optionalBoolean(json, name, name, fallback);
    }

    private static boolean optionalBoolean(JsonNode json, String name, String param, boolean fallback) {
        JsonNode v = present(json, name);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ServingException.invalid(param, param + " must be true or false, got " + kind(v));
        }
        return v.booleanValue();
    }

    private static String kind(JsonNode v) {
        return v.isString() ? "a string" : v.isNumber() ? "the number " + v : v.isBoolean() ? v.toString()
                : v.isArray() ? "an array" : v.isObject() ? "an object" : v.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
