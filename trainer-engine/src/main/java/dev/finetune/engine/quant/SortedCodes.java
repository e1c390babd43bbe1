package dev.finetune.engine.quant;

/** Nearest-code search shared by the quantization maps: codes sorted by value, split at midpoints. */
final class SortedCodes {

    private SortedCodes() {}

    /** The number of midpoints strictly below {@code x}: the index of the nearest code, ties to the lower one. */
    static int nearest(float[] midpoints, float x) {
        int lo = 0;
        int hi = midpoints.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (x > midpoints[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
