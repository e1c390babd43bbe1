package dev.finetune.settings;

/**
 * The dataset layouts the platform accepts, named after the tools users get them from.
 *
 * <ul>
 *   <li>{@link #CHAT}: OpenAI/TRL messages, {@code {"messages": [{"role": "system|user|assistant|tool",
 *       "content": "..."}]}}.
 *   <li>{@link #INSTRUCTION}: Alpaca, {@code {"instruction", "input"?, "output", "system"?}}.
 *   <li>{@link #COMPLETION}: {@code {"prompt", "completion"}} (other key names through a field mapping).
 *   <li>{@link #SHAREGPT}: {@code {"conversations": [{"from", "value"}], "system"?, "tools"?}}.
 *   <li>{@link #TEXT}: a raw {@code .txt} file, or JSONL {@code {"text": "..."}}, for continued pre-training.
 * </ul>
 */
public enum DatasetFormat implements WireNamed {
    CHAT("chat"),
    INSTRUCTION("instruction"),
    COMPLETION("completion"),
    SHAREGPT("sharegpt"),
    TEXT("text");

    private final String wireName;

    DatasetFormat(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static DatasetFormat fromWire(String wire) {
        return WireNamed.fromWire(DatasetFormat.class, wire, "format");
    }
}
