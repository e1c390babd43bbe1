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

    /** Buckets of equal width over [-1, 1] for {@link #nearestInUnit}; 15 of them hold a midpoint. */
    private static final int BUCKETS = 4096;

    /**
     * The code of every value in a bucket, or -1 for a bucket within {@code 1e-5} of a midpoint (where the rounding
     * of {@code (x + 1) * BUCKETS / 2} could put a value on the wrong side): those values are searched.
     */
    private static final byte[] BUCKET_CODE = new byte[BUCKETS + 2];

    static {
        for (int b = 0; b < BUCKET_CODE.length; b++) {
            double lower = -1.0 + 2.0 * b / BUCKETS - 1e-5;
            double upper = -1.0 + 2.0 * (b + 1) / BUCKETS + 1e-5;
            int below = 0;
            boolean inside = false;
            for (float m : MIDPOINTS) {
                below += m < lower ? 1 : 0;
                inside |= m >= lower && m <= upper;
            }
            BUCKET_CODE[b] = (byte) (inside ? -1 : below);
        }
    }

    /**
     * {@link #nearest} for a finite value in [-1, 1] (a weight times the inverse of its block's absmax, which may
     * round a hair outside), for quantizing a whole checkpoint at load: one table lookup for all but the values
     * near a midpoint (0.5% of the interval), instead of a search's four dependent compares. The same code as
     * {@link #nearest} for every float in [-1, 1] and its two neighbours outside ({@code Nf4CodebookTest} checks
     * them all). Values further out or NaN are outside its contract.
     */
    static int nearestInUnit(float x) {
        int code = BUCKET_CODE[(int) ((x + 1f) * (BUCKETS / 2f))];
        return code >= 0 ? code : nearest(x);
    }
}
