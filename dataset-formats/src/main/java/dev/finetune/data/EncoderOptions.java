package dev.finetune.data;

/**
 * How {@link ExampleEncoder} turns examples into tokens.
 *
 * @param maxSeqLen the longest sequence kept (at least 2); longer examples keep their start
 * @param trainOnInputs train on every token but the leading BOS, not only the assistant turns
 * @param addEos append EOS to a conversation that does not already end with it, and after every
 *     document of a TEXT corpus
 */
public record EncoderOptions(int maxSeqLen, boolean trainOnInputs, boolean addEos) {

    public EncoderOptions {
        if (maxSeqLen < 2) {
            throw new IllegalArgumentException("maxSeqLen must be at least 2, got " + maxSeqLen);
        }
    }
}
