package dev.finetune.data;

/**
 * The dataset layouts the platform accepts, named after the tools users get them from.
 *
 * <ul>
 *   <li>{@link #CHAT}: OpenAI/TRL messages, {@code {"messages": [{"role": "system|user|assistant|tool",
 *       "content": "..."}]}}.
 *   <li>{@link #INSTRUCTION}: Alpaca, {@code {"instruction", "input"?, "output", "system"?}}.
 *   <li>{@link #COMPLETION}: {@code {"prompt", "completion"}} (other key names through
 *       {@link FieldMapping}).
 *   <li>{@link #SHAREGPT}: {@code {"conversations": [{"from", "value"}], "system"?, "tools"?}}.
 *   <li>{@link #TEXT}: a raw {@code .txt} file, or JSONL {@code {"text": "..."}}.
 * </ul>
 */
public enum DatasetFormat {
    CHAT,
    INSTRUCTION,
    COMPLETION,
    SHAREGPT,
    TEXT
}
