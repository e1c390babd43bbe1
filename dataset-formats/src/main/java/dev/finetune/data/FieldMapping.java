package dev.finetune.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON key names to read each format's fields from, for datasets whose keys differ from the
 * usual ones. A null component means the default name (the component's own name). Only top-level
 * keys can be renamed; the keys inside messages ({@code role}/{@code content}) and ShareGPT turns
 * ({@code from}/{@code value}) are fixed.
 *
 * <p>Example: GSM8K's {@code {"question", "answer"}} records are COMPLETION records with
 * {@code FieldMapping.completion("question", "answer")}.
 */
public record FieldMapping(
        String prompt,
        String completion,
        String instruction,
        String input,
        String output,
        String system,
        String messages,
        String conversations,
        String tools,
        String text) {

    /** The standard key names. */
    public static final FieldMapping DEFAULT =
            new FieldMapping(null, null, null, null, null, null, null, null, null, null);

    public FieldMapping {
        prompt = orDefault(prompt, "prompt");
        completion = orDefault(completion, "completion");
        instruction = orDefault(instruction, "instruction");
        input = orDefault(input, "input");
        output = orDefault(output, "output");
        system = orDefault(system, "system");
        messages = orDefault(messages, "messages");
        conversations = orDefault(conversations, "conversations");
        tools = orDefault(tools, "tools");
        text = orDefault(text, "text");
    }

    /** COMPLETION records keyed {@code promptKey}/{@code completionKey}. */
    public static FieldMapping completion(String promptKey, String completionKey) {
        return new FieldMapping(promptKey, completionKey, null, null, null, null, null, null, null, null);
    }

    /** INSTRUCTION records keyed {@code instructionKey}/{@code inputKey}/{@code outputKey}. */
    public static FieldMapping instruction(String instructionKey, String inputKey, String outputKey) {
        return new FieldMapping(null, null, instructionKey, inputKey, outputKey, null, null, null, null, null);
    }

    /** TEXT records keyed {@code textKey}. */
    public static FieldMapping text(String textKey) {
        return new FieldMapping(null, null, null, null, null, null, null, null, null, textKey);
    }

    /** CHAT records whose message list is under {@code messagesKey}. */
    public static FieldMapping chat(String messagesKey) {
        return new FieldMapping(null, null, null, null, null, null, messagesKey, null, null, null);
    }

    /** ShareGPT records whose turn list is under {@code conversationsKey}. */
    public static FieldMapping sharegpt(String conversationsKey) {
        return new FieldMapping(null, null, null, null, null, null, null, conversationsKey, null, null);
    }

    /** The fields a mapping may rename, by their standard key names, in declaration order. */
    public static final List<String> FIELDS = List.of("prompt", "completion", "instruction", "input", "output",
            "system", "messages", "conversations", "tools", "text");

    /** The longest key name a mapping accepts. */
    public static final int MAX_KEY_LENGTH = 128;

    /**
     * A mapping from its stored or requested form: each standard field name (one of {@link #FIELDS})
     * to the key the records use for it. An empty or null map is {@link #DEFAULT}.
     *
     * @throws IllegalArgumentException naming the entry, {@code field_mapping.<field>}, for a field
     *     that cannot be renamed or a key that is blank, too long or used twice
     */
    public static FieldMapping fromMap(Map<String, ?> mapping) {
        if (mapping == null || mapping.isEmpty()) {
            return DEFAULT;
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : mapping.entrySet()) {
            String field = e.getKey();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("field_mapping." + field + ": '" + field
                        + "' is not a field that can be mapped; expected one of " + String.join(", ", FIELDS));
            }
            if (!(e.getValue() instanceof String key) || key.isBlank()) {
                throw new IllegalArgumentException("field_mapping." + field + " must be the name of a key in the records");
            }
            if (key.length() > MAX_KEY_LENGTH || key.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("field_mapping." + field + " must be at most " + MAX_KEY_LENGTH
                        + " characters without control characters");
            }
            if (keys.containsValue(key)) {
                throw new IllegalArgumentException("field_mapping." + field + ": key '" + key
                        + "' is already mapped to another field");
            }
            keys.put(field, key);
        }
        return new FieldMapping(keys.get("prompt"), keys.get("completion"), keys.get("instruction"), keys.get("input"),
                keys.get("output"), keys.get("system"), keys.get("messages"), keys.get("conversations"), keys.get("tools"),
                keys.get("text"));
    }

    /** The renamed fields only (standard field name to the records' key), for storing and showing; empty for {@link #DEFAULT}. */
    public Map<String, String> toMap() {
        List<String> values = List.of(prompt, completion, instruction, input, output, system, messages, conversations,
                tools, text);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS.size(); i++) {
            if (!FIELDS.get(i).equals(values.get(i))) {
                out.put(FIELDS.get(i), values.get(i));
            }
        }
        return out;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
