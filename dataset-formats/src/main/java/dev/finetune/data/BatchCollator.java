package dev.finetune.data;

import java.util.Arrays;
import java.util.List;

/** Pads rows to the longest one and lays them out as a {@link Batch}. */
public final class BatchCollator {

    private BatchCollator() {}

    /**
     * Builds a batch; see {@link Batch} for the padding values.
     *
     * @throws IllegalArgumentException for an empty list of rows
     */
    public static Batch collate(List<PackedSequence> rows, int padId) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        int seqLen = rows.stream().mapToInt(PackedSequence::length).max().orElse(0);
        int n = rows.size() * seqLen;
        int[] ids = new int[n];
        int[] labels = new int[n];
        int[] positions = new int[n];
        int[] segments = new int[n];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, TokenizedExample.IGNORE_INDEX);
        Arrays.fill(segments, -1);
        for (int r = 0; r < rows.size(); r++) {
            PackedSequence row = rows.get(r);
            int at = r * seqLen;
            System.arraycopy(row.inputIds(), 0, ids, at, row.length());
            System.arraycopy(row.labels(), 0, labels, at, row.length());
            System.arraycopy(row.positionIds(), 0, positions, at, row.length());
            System.arraycopy(row.segmentIds(), 0, segments, at, row.length());
        }
        return new Batch(rows.size(), seqLen, ids, labels, positions, segments);
    }
}
