package dev.finetune.engine.quant;

/**
 * The signed 8-bit dynamic quantization map of bitsandbytes ({@code create_dynamic_map(signed=True,
 * max_exponent_bits=7, total_bits=8)}), which bitsandbytes' {@code quantize_blockwise} uses by default
 * and therefore for the second level of NF4 double quantization.
 *
 * <p>For exponent {@code i = 0..6} it holds the {@code 2^i} midpoints of {@code linspace(0.1, 1, 2^i + 1)}
 * scaled by {@code 10^(i-6)}, with both signs, plus 0 and 1.0: 256 ascending values from -0.99296875 to
 * 1.0. The arithmetic copies PyTorch's float32 {@code linspace} kernel (start + step*k for the first
 * half, end - step*(steps-1-k) for the second) so the values should match bitsandbytes' float32 table;
 * that was not checked against a live bitsandbytes here (no PyTorch on the build machine).
 * Nearest-value lookup uses midpoints, as bitsandbytes' {@code dQuantize} does.
 */
public final class DynamicMap {

    /** Number of codes (8 bits). */
    public static final int SIZE = 256;

    private static final float[] VALUES = build();
    private static final float[] MIDPOINTS = new float[SIZE - 1];
    /** Index of 0.0 in the sorted map. */
    public static final int ZERO_CODE;

    static {
        for (int k = 0; k < SIZE - 1; k++) {
            MIDPOINTS[k] = (VALUES[k] + VALUES[k + 1]) * 0.5f;
        }
        int zero = -1;
        for (int k = 0; k < SIZE; k++) {
            if (VALUES[k] == 0.0f) {
                zero = k;
            }
        }
        ZERO_CODE = zero;
    }

    private DynamicMap() {
    }

    private static float[] build() {
        double[] powers = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};
        float[] data = new float[SIZE];
        int n = 0;
        for (int i = 0; i < 7; i++) {
            float[] boundaries = linspace(0.1f, 1.0f, (1 << i) + 1);
            float scale = (float) powers[i];
            for (int k = 0; k < boundaries.length - 1; k++) {
                float mean = (boundaries[k] + boundaries[k + 1]) / 2.0f;
                data[n++] = scale * mean;
                data[n++] = -scale * mean;
            }
        }
        data[n++] = 0.0f;
        data[n++] = 1.0f;
        if (n != SIZE) {
            throw new IllegalStateException("dynamic map has " + n + " values");
        }
        java.util.Arrays.sort(data);
        return data;
    }

    private static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int k = 0; k < steps; k++) {
            out[k] = k < halfway ? start + step * k : end - step * (steps - k - 1);
        }
        return out;
    }

    /** A copy of the 256 map values, ascending (the index is the stored byte, read unsigned). */
    public static float[] values() {
        return VALUES.clone();
    }

    /** The value of one 8-bit code. */
    public static float value(int code) {
        return VALUES[code];
    }

    /** The code nearest to {@code x} (nominally in [-1, 1]); ties go to the lower code. */
    public static int nearest(float x) {
        return SortedCodes.nearest(MIDPOINTS, x);
    }
}
