package dev.finetune.engine.quant;

/**
 * The 16-value NormalFloat-4 codebook exactly as bitsandbytes defines it ({@code get_4bit_type("nf4")}),
 * with bitsandbytes' nearest-code rule: a normalized value maps to the number of codebook midpoints it
 * is strictly greater than, which is what the hard-coded threshold tree of the CUDA kernel
 * ({@code dQuantizeNF4}) computes.
 */
public final class Nf4Codebook {

    /** Number of codes (4 bits). */
    public static final int SIZE = 16;

    /** Code of the value 0.0; used for all-zero blocks and for the padding nibble of odd-sized tensors. */
    public static final int ZERO_CODE = 7;

    private static final float[] VALUES = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    /** MIDPOINTS[k] lies between VALUES[k] and VALUES[k + 1]. */
    private static final float[] MIDPOINTS = new float[SIZE - 1];

    static {
        for (int k = 0; k < SIZE - 1; k++) {
            MIDPOINTS[k] = (float) (((double) VALUES[k] + VALUES[k + 1]) / 2.0);
        }
    }

    private Nf4Codebook() {
    }

    /** A copy of the 16 codebook values in code order (ascending). */
    public static float[] values() {
        return VALUES.clone();
    }

    /** The value of one 4-bit code. */
    public static float value(int code) {
        return VALUES[code];
    }

    /** A copy of the 15 decision thresholds (midpoints between neighbouring codes). */
    public static float[] midpoints() {
        return MIDPOINTS.clone();
    }

    /**
     * The code nearest to {@code x} (a value already divided by its block's absmax, so nominally in
     * [-1, 1]); values on a midpoint go to the lower code, values outside [-1, 1] clamp to the ends.
     * NaN maps to code 0, as in the bitsandbytes kernel (all comparisons false).
     */
    public static int nearest(float x) {
        return SortedCodes.nearest(MIDPOINTS, x);
    }

    /**
     * {@link #nearest} as a fixed four-step search over the 15 midpoints, without data-dependent
     * branches (each step is a conditional add the JIT turns into a cmov), for quantizing whole
     * checkpoints at load; the same code for every input, NaN included (it counts no midpoint).
     */
    static int nearestBranchless(float x) {
        float[] m = MIDPOINTS;
        int i = x > m[7] ? 8 : 0;
        i += x > m[i + 3] ? 4 : 0;
        i += x > m[i + 1] ? 2 : 0;
        i += x > m[i] ? 1 : 0;
        return i;
    }
}
