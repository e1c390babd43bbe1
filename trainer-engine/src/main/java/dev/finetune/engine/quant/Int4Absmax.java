package dev.finetune.engine.quant;

/**
 * Baseline for NF4: symmetric blockwise int4 absmax quantization. Each block of {@code blockSize}
 * values is scaled by {@code 7 / absmax}, rounded to the 15 integer levels -7..7 and mapped back as
 * {@code q * absmax / 7}; absmax is kept in fp32 (no double quantization).
 */
public final class Int4Absmax {

    /** Largest level magnitude. */
    public static final int LEVELS = 7;

    private Int4Absmax() {
    }

    /** Quantizes and immediately dequantizes {@code w}; a final partial block is allowed. */
    public static float[] roundTrip(float[] w, int blockSize) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
        }
        float[] out = new float[w.length];
        for (int start = 0; start < w.length; start += blockSize) {
            int end = Math.min(w.length, start + blockSize);
            float absmax = 0;
            for (int i = start; i < end; i++) {
                absmax = Math.max(absmax, Math.abs(w[i]));
            }
            if (absmax == 0) {
                continue;
            }
            float step = absmax / LEVELS;
            for (int i = start; i < end; i++) {
                int q = Math.round(w[i] / absmax * LEVELS);
                out[i] = Math.max(-LEVELS, Math.min(LEVELS, q)) * step;
            }
        }
        return out;
    }
}
