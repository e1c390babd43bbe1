package dev.finetune.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Nf4Tensor#quantize} (parallel slices, bucketed code search) gives exactly the codes and
 * absmax of the straightforward sequential loop it replaced, kept here as the reference.
 */
class Nf4QuantizeReferenceTest {

    @Test
    void sameCodesAndAbsmaxAsTheSequentialLoop() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 63, 64, 65, 127, 4096, 300_001, 1 << 20}) {
            for (Nf4Options opts : new Nf4Options[] {Nf4Options.DEFAULT, Nf4Options.DEFAULT.withoutDoubleQuant(),
                    new Nf4Options(32, true, 128)}) {
                float[] w = new float[n];
                for (int i = 0; i < n; i++) {
                    w[i] = (float) (r.nextGaussian() * 0.02);
                }
                if (n > 200) {
                    java.util.Arrays.fill(w, 64, 128, 0f); // an all-zero block
                    java.util.Arrays.fill(w, 128, 192, Float.MIN_VALUE); // a subnormal absmax
                    w[200] = -0.5f;
                }
                Nf4Tensor t = Nf4Tensor.quantize(new long[] {n}, w, opts);
                Reference ref = reference(w, opts.blockSize());
                assertThat(t.rawPackedCodes()).as("n=%d %s", n, opts).isEqualTo(ref.packed);
                if (opts.doubleQuant()) {
                    Nf4Tensor seq = Nf4Tensor.quantize(new long[] {n}, w, opts.withoutDoubleQuant());
                    assertThat(seq.rawAbsmax()).isEqualTo(ref.absmax);
                } else {
                    assertThat(t.rawAbsmax()).isEqualTo(ref.absmax);
                }
            }
        }
    }

    @Test
    void namesTheFirstNonFiniteWeight() {
        float[] w = new float[1 << 20];
        w[900_000] = Float.NaN;
        w[700_000] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> Nf4Tensor.quantize(new long[] {w.length}, w, Nf4Options.DEFAULT))
                .hasMessage("weights[700000] is not finite: Infinity");
    }

    private record Reference(byte[] packed, float[] absmax) {}

    /** The loop Nf4Tensor.quantize used before, verbatim in its effect. */
    private static Reference reference(float[] weights, int bs) {
        int n = weights.length;
        int blocks = (n + bs - 1) / bs;
        float[] blockAbsmax = new float[blocks];
        byte[] packed = new byte[(n + 1) / 2];
        for (int b = 0; b < blocks; b++) {
            int start = b * bs;
            int end = Math.min(n, start + bs);
            float max = 0;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(weights[i]));
            }
            blockAbsmax[b] = max;
            float inv = 1.0f / max;
            for (int i = start; i < end; i++) {
                int code = max == 0 ? Nf4Codebook.ZERO_CODE : Nf4Codebook.nearest(weights[i] * inv);
                packed[i >> 1] |= (byte) ((i & 1) == 0 ? code << 4 : code);
            }
        }
        if ((n & 1) == 1) {
            packed[n >> 1] |= (byte) Nf4Codebook.ZERO_CODE;
        }
        return new Reference(packed, blockAbsmax);
    }
}
