package dev.finetune.data;

/**
 * Token ids and training targets of one example.
 *
 * <p>{@code labels[i]} is the target for position {@code i} itself ({@code inputIds[i]}), or
 * {@link #IGNORE_INDEX} when that token is not trained on; as in Hugging Face causal LMs the trainer
 * shifts by one: the logits at position {@code i - 1} are scored against {@code labels[i]}.
 */
public record TokenizedExample(int[] inputIds, int[] labels) {

    /** The label of a token that is not trained on (PyTorch's cross-entropy {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;

    public TokenizedExample {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException(
                    "inputIds and labels differ in length: " + inputIds.length + " vs " + labels.length);
        }
    }

    public int length() {
        return inputIds.length;
    }

    /** The number of labels that are not {@link #IGNORE_INDEX}. */
    public int trainableTokens() {
        int n = 0;
        for (int l : labels) {
            if (l != IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }
}
