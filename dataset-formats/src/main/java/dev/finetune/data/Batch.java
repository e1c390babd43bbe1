package dev.finetune.data;

/**
 * A padded batch, every array row-major {@code [batchSize, seqLen]}. Padding positions have
 * {@code inputId = pad}, {@code label = IGNORE_INDEX}, {@code positionId = 0} and
 * {@code segmentId = -1} (attend to nothing and be attended by nothing).
 */
public record Batch(int batchSize, int seqLen, int[] inputIds, int[] labels, int[] positionIds,
        int[] segmentIds) {

    public Batch {
        int n = batchSize * seqLen;
        if (inputIds.length != n || labels.length != n || positionIds.length != n || segmentIds.length != n) {
            throw new IllegalArgumentException("batch arrays must hold batchSize * seqLen = " + n + " values");
        }
    }

    /** The flat index of {@code [row, col]}. */
    public int index(int row, int col) {
        return row * seqLen + col;
    }

    /** Positions whose label is trained on. */
    public int trainableTokens() {
        int n = 0;
        for (int l : labels) {
            if (l != TokenizedExample.IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }

    /** Positions holding a real token rather than padding. */
    public int realTokens() {
        int n = 0;
        for (int s : segmentIds) {
            if (s >= 0) {
                n++;
            }
        }
        return n;
    }
}
