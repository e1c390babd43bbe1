package dev.finetune.data;

import java.util.List;

/**
 * The output of {@link ExampleEncoder#encodeAll}.
 *
 * @param examples the encoded examples (TEXT corpora as fixed-length chunks)
 * @param truncated how many conversations were longer than maxSeqLen and were cut
 * @param dropped how many conversations were left out because no trainable token remained
 */
public record EncodedDataset(List<TokenizedExample> examples, int truncated, int dropped) {

    public EncodedDataset {
        examples = List.copyOf(examples);
    }

    public long trainableTokens() {
        return examples.stream().mapToLong(TokenizedExample::trainableTokens).sum();
    }
}
