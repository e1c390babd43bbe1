package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks one parsed JSON record against a format and turns it into an {@link Example}, collecting
 * every problem with the record (not just the first).
 *
 * <p>ShareGPT roles: {@code human}/{@code user} become USER, {@code gpt}/{@code assistant} and
 * {@code function_call} become ASSISTANT (the model learns to emit the call), {@code observation}/
 * {@code tool} become TOOL and {@code system} SYSTEM. A top-level {@code system} string becomes a
 * leading SYSTEM turn; a non-empty {@code tools} value (JSON text or JSON) is appended to that system
 * turn as "You have access to the following tools:\n" + tools, so that function-call turns are
 * learnable with templates that know nothing about tools.
 */
final class RecordMapper {

    static final String TOOLS_PREFIX = "You have access to the following tools:\n";

    private static final Map<String, Role> CHAT_ROLES = Map.of(
            "system", Role.SYSTEM, "user", Role.USER, "assistant", Role.ASSISTANT, "tool", Role.TOOL);
    private static final Map<String, Role> SHAREGPT_ROLES = Map.of(
            "system", Role.SYSTEM, "human", Role.USER, "user", Role.USER, "gpt", Role.ASSISTANT,
            "assistant", Role.ASSISTANT, "function_call", Role.ASSISTANT, "observation", Role.TOOL,
            "tool", Role.TOOL);

    private final DatasetFormat format;
    private final FieldMapping keys;
    private final boolean indexed;

    RecordMapper(DatasetFormat format, FieldMapping keys, boolean indexed) {
        this.format = format;
        this.keys = keys;
        this.indexed = indexed;
    }

    /**
     * The format whose keys a record carries. With {@code complete} only a record with all of a
     * format's required keys counts; otherwise one distinguishing key is enough.
     */
    static Optional<DatasetFormat> detect(JsonNode node, FieldMapping k, boolean complete) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        if (node.has(k.messages())) {
            return Optional.of(DatasetFormat.CHAT);
        }
        if (node.has(k.conversations())) {
            return Optional.of(DatasetFormat.SHAREGPT);
        }
        boolean instr = node.has(k.instruction());
        boolean out = node.has(k.output());
        if (complete ? instr && out : instr || out) {
            return Optional.of(DatasetFormat.INSTRUCTION);
        }
        boolean prompt = node.has(k.prompt());
        boolean completion = node.has(k.completion());
        if (complete ? prompt && completion : prompt || completion) {
            return Optional.of(DatasetFormat.COMPLETION);
        }
        return node.has(k.text()) ? Optional.of(DatasetFormat.TEXT) : Optional.empty();
    }

    /**
     * The record as an example, or null after adding its errors to {@code errors}.
     *
     * @param line the file line the record starts on
     * @param record its 1-based number in a JSON array, null in a JSON Lines file
     */
    Example map(int line, Integer record, JsonNode node, List<RecordError> errors) {
        Errors e = new Errors(line, record, errors);
        if (!node.isObject()) {
            e.add(null, "expected a JSON object, got " + typeOf(node));
            return null;
        }
        List<Turn> turns = new ArrayList<>();
        switch (format) {
            case CHAT -> conversation(node, keys.messages(), "role", "content", CHAT_ROLES, turns, e);
            case SHAREGPT -> sharegpt(node, turns, e);
            case INSTRUCTION -> instruction(node, turns, e);
            case COMPLETION -> {
                String prompt = string(node, keys.prompt(), true, e);
                String completion = nonEmpty(node, keys.completion(), e);
                if (prompt != null && completion != null) {
                    turns.add(new Turn(Role.USER, prompt));
                    turns.add(new Turn(Role.ASSISTANT, completion));
                }
            }
            case TEXT -> {
                String text = nonEmpty(node, keys.text(), e);
                if (text != null && e.count == 0) {
                    return Example.text(line, text);
                }
            }
        }
        return e.count == 0 ? new Example(line, turns) : null;
    }

    private void sharegpt(JsonNode node, List<Turn> turns, Errors e) {
        String system = optionalString(node, keys.system(), e);
        String tools = toolsText(node.get(keys.tools()), e);
        if (tools != null) {
            system = (system == null || system.isEmpty() ? "" : system + "\n\n") + TOOLS_PREFIX + tools;
        }
        if (system != null && !system.isEmpty()) {
            turns.add(new Turn(Role.SYSTEM, system));
        }
        conversation(node, keys.conversations(), "from", "value", SHAREGPT_ROLES, turns, e);
    }

    private void instruction(JsonNode node, List<Turn> turns, Errors e) {
        String system = optionalString(node, keys.system(), e);
        String instruction = string(node, keys.instruction(), true, e);
        String input = optionalString(node, keys.input(), e);
        String output = nonEmpty(node, keys.output(), e);
        if (instruction == null || output == null) {
            return;
        }
        if (system != null && !system.isEmpty()) {
            turns.add(new Turn(Role.SYSTEM, system));
        }
        String user = input == null || input.isEmpty() ? instruction
                : instruction.isEmpty() ? input : instruction + "\n\n" + input;
        turns.add(new Turn(Role.USER, user));
        turns.add(new Turn(Role.ASSISTANT, output));
    }

    private void conversation(JsonNode node, String key, String roleKey, String contentKey,
            Map<String, Role> roles, List<Turn> turns, Errors e) {
        JsonNode list = node.get(key);
        if (list == null) {
            e.add(key, "missing required key '" + key + "'");
            return;
        }
        if (!list.isArray()) {
            e.add(key, "expected an array, got " + typeOf(list));
            return;
        }
        if (list.isEmpty()) {
            e.add(key, "empty conversation");
            return;
        }
        int before = e.count;
        boolean assistant = false;
        for (int i = 0; i < list.size(); i++) {
            JsonNode msg = list.get(i);
            String at = key + "[" + i + "]";
            if (!msg.isObject()) {
                e.add(at, "expected an object, got " + typeOf(msg));
                continue;
            }
            String roleName = string(msg, roleKey, at + "." + roleKey, false, e);
            String content = string(msg, contentKey, at + "." + contentKey, true, e);
            Role role = null;
            if (roleName != null) {
                role = roles.get(roleName.toLowerCase(Locale.ROOT));
                if (role == null) {
                    e.add(at + "." + roleKey, "unknown role '" + roleName + "' (expected one of "
                            + String.join(", ", roles.keySet().stream().sorted().toList()) + ")");
                }
            }
            if (role != null && content != null) {
                turns.add(new Turn(role, content));
                assistant |= role == Role.ASSISTANT;
            }
        }
        if (e.count == before && !assistant) {
            e.add(key, "conversation has no assistant turn, so there is nothing to train on");
        }
    }

    private static String toolsText(JsonNode tools, Errors e) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (tools.isTextual()) {
            String t = tools.asText().strip();
            return t.isEmpty() || t.equals("[]") ? null : t;
        }
        if (tools.isContainerNode()) {
            return tools.isEmpty() ? null : tools.toString();
        }
        e.add("tools", "expected a string, array or object, got " + typeOf(tools));
        return null;
    }

    private static String string(JsonNode node, String key, boolean allowEmpty, Errors e) {
        return string(node, key, key, allowEmpty, e);
    }

    private static String string(JsonNode node, String key, String path, boolean allowEmpty, Errors e) {
        JsonNode v = node.get(key);
        if (v == null) {
            e.add(path, "missing required key '" + key + "'");
            return null;
        }
        if (!v.isTextual()) {
            e.add(path, "expected a string, got " + typeOf(v));
            return null;
        }
        if (!allowEmpty && v.asText().isBlank()) {
            e.add(path, "empty " + key);
            return null;
        }
        return v.asText();
    }

    private static String nonEmpty(JsonNode node, String key, Errors e) {
        return string(node, key, false, e);
    }

    private static String optionalString(JsonNode node, String key, Errors e) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            e.add(key, "expected a string, got " + typeOf(v));
            return null;
        }
        return v.asText();
    }

    static String typeOf(JsonNode v) {
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Collects one record's errors, prefixing "record N (line L): " in JSON-array files. */
    private final class Errors {
        private final int line;
        private final Integer record;
        private final List<RecordError> sink;
        private int count;

        Errors(int line, Integer record, List<RecordError> sink) {
            this.line = line;
            this.record = record;
            this.sink = sink;
        }

        void add(String field, String message) {
            count++;
            sink.add(new RecordError(line, record, field,
                    indexed && record != null ? RecordSource.prefix(record, line) + message : message));
        }
    }
}
