package dev.finetune.engine.quant;

/**
 * Error of an approximation against a reference.
 *
 * @param rmse       root mean squared difference
 * @param maxAbs     largest absolute difference
 * @param relativeL2 ||approx - reference||_2 / ||reference||_2 (0 when both are zero, infinite when only
 *                   the reference is zero)
 */
public record QuantError(double rmse, double maxAbs, double relativeL2) {

    /** Compares two equally long arrays, accumulating in double. */
    public static QuantError compare(float[] reference, float[] approx) {
        if (reference.length != approx.length) {
            throw new IllegalArgumentException("length mismatch: reference " + reference.length
                + " vs approx " + approx.length);
        }
        if (reference.length == 0) {
            throw new IllegalArgumentException("reference is empty");
        }
        double sumSq = 0;
        double refSq = 0;
        double maxAbs = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) approx[i] - reference[i];
            sumSq += d * d;
            refSq += (double) reference[i] * reference[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        double rel = refSq == 0 ? (sumSq == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(sumSq / refSq);
        return new QuantError(Math.sqrt(sumSq / reference.length), maxAbs, rel);
    }
}
