package dev.finetune.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs tokenized examples into rows of at most {@code maxSeqLen} tokens so that little compute is
 * spent on padding.
 *
 * <p>Greedy first fit: examples are taken in the given order (shuffle first if wanted) and each goes
 * into the first open row with room for it, else starts a new row; examples are never split, and
 * rows keep their examples in arrival order. Within a row, position ids restart at 0 for every
 * example and segment ids number the examples 0, 1, 2, ..., so the model can use block-diagonal causal
 * attention and each example is trained exactly as if it were alone; see {@link PackedSequence}.
 */
public final class SequencePacker {

    private SequencePacker() {}

    /**
     * Packs examples.
     *
     * @throws IllegalArgumentException when an example is longer than {@code maxSeqLen} (truncate
     *     first, see {@link ExampleEncoder#truncate}) or empty
     */
    public static List<PackedSequence> pack(List<TokenizedExample> examples, int maxSeqLen) {
        if (maxSeqLen < 1) {
            throw new IllegalArgumentException("maxSeqLen must be positive, got " + maxSeqLen);
        }
        List<List<TokenizedExample>> rows = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        for (TokenizedExample ex : examples) {
            if (ex.length() == 0 || ex.length() > maxSeqLen) {
                throw new IllegalArgumentException("example of " + ex.length()
                        + " tokens cannot be packed into rows of " + maxSeqLen);
            }
            int row = 0;
            while (row < rows.size() && used.get(row) + ex.length() > maxSeqLen) {
                row++;
            }
            if (row == rows.size()) {
                rows.add(new ArrayList<>());
                used.add(0);
            }
            rows.get(row).add(ex);
            used.set(row, used.get(row) + ex.length());
        }
        List<PackedSequence> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            out.add(join(rows.get(r), used.get(r)));
        }
        return out;
    }

    /** A single example as a row of its own (one segment). */
    public static PackedSequence unpacked(TokenizedExample ex) {
        return join(List.of(ex), ex.length());
    }

    private static PackedSequence join(List<TokenizedExample> parts, int length) {
        int[] ids = new int[length];
        int[] labels = new int[length];
        int[] positions = new int[length];
        int[] segments = new int[length];
        int at = 0;
        for (int s = 0; s < parts.size(); s++) {
            TokenizedExample ex = parts.get(s);
            System.arraycopy(ex.inputIds(), 0, ids, at, ex.length());
            System.arraycopy(ex.labels(), 0, labels, at, ex.length());
            labels[at] = TokenizedExample.IGNORE_INDEX;
            for (int i = 0; i < ex.length(); i++) {
                positions[at + i] = i;
                segments[at + i] = s;
            }
            at += ex.length();
        }
        return new PackedSequence(ids, labels, positions, segments);
    }
}
