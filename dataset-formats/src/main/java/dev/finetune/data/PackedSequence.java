package dev.finetune.data;

/**
 * One training row holding one or more examples back to back.
 *
 * @param inputIds the tokens
 * @param labels targets as in {@link TokenizedExample}; the first label of every segment is
 *     {@link TokenizedExample#IGNORE_INDEX}, since with the one-token shift it would otherwise be
 *     predicted from the end of the previous, unrelated example
 * @param positionIds rotary positions, restarting at 0 at the start of every segment
 * @param segmentIds 0, 1, 2, ... per example within the row; attention must be block-diagonal
 *     (a token attends only to earlier tokens with the same segment id)
 */
public record PackedSequence(int[] inputIds, int[] labels, int[] positionIds, int[] segmentIds) {

    public PackedSequence {
        int n = inputIds.length;
        if (labels.length != n || positionIds.length != n || segmentIds.length != n) {
            throw new IllegalArgumentException("arrays of a packed sequence differ in length");
        }
    }

    public int length() {
        return inputIds.length;
    }

    /** The number of examples in this row. */
    public int segments() {
        return inputIds.length == 0 ? 0 : segmentIds[segmentIds.length - 1] + 1;
    }
}
