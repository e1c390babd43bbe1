package dev.finetune.data;

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

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
