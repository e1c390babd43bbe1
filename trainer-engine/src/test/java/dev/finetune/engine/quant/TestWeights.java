package dev.finetune.engine.quant;

import java.util.Random;

/** Deterministic test weights. */
final class TestWeights {

    private TestWeights() {
    }

    /** {@code n} values drawn from N(0, std^2) with a fixed seed. */
    static float[] normal(int n, double std, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return w;
    }

    /** Exact fp32 absmax of every block of {@code blockSize}. */
    static float[] blockAbsmax(float[] w, int blockSize) {
        float[] out = new float[(w.length + blockSize - 1) / blockSize];
        for (int i = 0; i < w.length; i++) {
            out[i / blockSize] = Math.max(out[i / blockSize], Math.abs(w[i]));
        }
        return out;
    }
}
