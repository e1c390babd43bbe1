package dev.finetune.data;

import java.util.List;

/**
 * One normalised training record.
 *
 * <p>Conversational formats (CHAT, INSTRUCTION, COMPLETION, SHAREGPT) become a list of turns; the
 * prompt side is SYSTEM/USER/TOOL turns and what the model learns is the ASSISTANT turns. TEXT
 * records are a single ASSISTANT turn holding the raw text with {@code rawText} set: they are not
 * rendered through a chat template but tokenized as a continuous corpus (see {@link ExampleEncoder}).
 *
 * @param sourceLine the 1-based file line the record starts on (JSONL, {@code .txt}, JSON array)
 * @param turns the turns, at least one
 * @param rawText whether this is plain pre-training text rather than a conversation
 */
public record Example(int sourceLine, List<Turn> turns, boolean rawText) {

    public Example {
        turns = List.copyOf(turns);
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one turn");
        }
    }

    /** A conversational example. */
    public Example(int sourceLine, List<Turn> turns) {
        this(sourceLine, turns, false);
    }

    /** A raw-text example. */
    public static Example text(int sourceLine, String text) {
        return new Example(sourceLine, List.of(new Turn(Role.ASSISTANT, text)), true);
    }
}
