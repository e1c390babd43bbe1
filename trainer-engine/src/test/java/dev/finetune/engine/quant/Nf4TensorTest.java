package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class Nf4TensorTest {

    /**
     * Bound on the relative L2 error of NF4 (blocks of 64) on Gaussian weights. Derivation: for 64
     * N(0, s^2) samples the block absmax is about 2.6 s, so normalized values are N(0, (1/2.6)^2);
     * modelling the error inside each NF4 decision cell as uniform over the cell width w_k gives
     * MSE = sum_k P(cell k) w_k^2 / 12, i.e. a relative L2 of 0.089 (a numerical simulation gives
     * 0.092: absmax varies from block to block). 0.10 leaves ~10% headroom; double quantization adds
     * well under 1% (absmax error below 0.7% of the centred spread).
     */
    private static final double NF4_REL_L2_BOUND = 0.10;

    /** Largest half-gap of the signed dynamic map (including the -1 end), see DynamicMapTest. */
    private static final double DYNAMIC_MAP_HALF_GAP = 0.00703125;

    @Test
    void roundTripsGaussianWeightsWithinTheDerivedRelativeError() {
        float[] w = TestWeights.normal(1 << 20, 0.02, 1);
        for (Nf4Options opts : new Nf4Options[] {Nf4Options.DEFAULT, Nf4Options.DEFAULT.withoutDoubleQuant()}) {
            Nf4Tensor t = Nf4Tensor.quantize(new long[] {1024, 1024}, w, opts);
            QuantError e = QuantError.compare(w, t.dequantize());
            assertThat(e.relativeL2()).as("%s: %s", opts, e).isLessThan(NF4_REL_L2_BOUND).isGreaterThan(0.05);
        }
    }

    @Test
    void reconstructsWeightsThatAreAlreadyCodebookTimesAbsmaxExactly() {
        int blockSize = 64;
        int blocks = 50;
        Random random = new Random(7);
        float[] w = new float[blocks * blockSize];
        int[] codes = new int[w.length];
        for (int b = 0; b < blocks; b++) {
            float absmax = 0.001f + random.nextFloat() * 0.2f;
            for (int j = 0; j < blockSize; j++) {
                int i = b * blockSize + j;
                codes[i] = j == b % blockSize ? (b % 2 == 0 ? 15 : 0) : random.nextInt(16);
                w[i] = Nf4Codebook.value(codes[i]) * absmax;
            }
        }
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {w.length}, w, new Nf4Options(blockSize, false, 256));
        assertThat(t.dequantize()).containsExactly(w);
        byte[] packed = t.packedCodes();
        for (int i = 0; i < w.length; i++) {
            int code = (i % 2 == 0 ? (packed[i / 2] & 0xFF) >>> 4 : packed[i / 2] & 0x0F);
            assertThat(code).isEqualTo(codes[i]);
        }
    }

    @Test
    void dequantizesToCodebookValueTimesBlockAbsmaxWithoutDoubleQuant() {
        float[] w = TestWeights.normal(6400, 1.5, 2);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {80, 80}, w, new Nf4Options(64, false, 256));
        float[] absmax = TestWeights.blockAbsmax(w, 64);
        assertThat(t.absmax()).containsExactly(absmax);
        float[] dq = t.dequantize();
        float[] codebook = Nf4Codebook.values();
        for (int i = 0; i < w.length; i++) {
            float scale = absmax[i / 64];
            boolean onGrid = false;
            for (float c : codebook) {
                onGrid |= dq[i] == c * scale;
            }
            assertThat(onGrid).as("element %d", i).isTrue();
        }
    }

    @Test
    void reconstructsEachBlockMaxWithOnlyTheAbsmaxQuantizationError() {
        float[] w = TestWeights.normal(64 * 1000 + 10, 0.02, 3);
        float[] absmax = TestWeights.blockAbsmax(w, 64);
        for (Nf4Options opts : new Nf4Options[] {Nf4Options.DEFAULT.withoutDoubleQuant(), new Nf4Options(64, true, 256)}) {
            Nf4Tensor t = Nf4Tensor.quantize(new long[] {w.length}, w, opts);
            float[] dq = t.dequantize();
            float[] used = t.dequantizedAbsmax();
            for (int b = 0; b < absmax.length; b++) {
                int arg = b * 64;
                for (int i = b * 64; i < Math.min(w.length, b * 64 + 64); i++) {
                    arg = Math.abs(w[i]) > Math.abs(w[arg]) ? i : arg;
                }
                assertThat(dq[arg]).isEqualTo(Math.copySign(used[b], w[arg]));
                if (!opts.doubleQuant()) {
                    assertThat(dq[arg]).isEqualTo(w[arg]);
                }
            }
        }
    }

    @Test
    void keepsDoubleQuantAbsmaxErrorWithinHalfAGapOfTheDynamicMap() {
        float[] w = TestWeights.normal(64 * 2000, 0.02, 4);
        float[] absmax = TestWeights.blockAbsmax(w, 64);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {w.length}, w, Nf4Options.DEFAULT);
        float[] used = t.dequantizedAbsmax();
        float[] scales = t.absmaxScales();
        double worstRelative = 0;
        for (int b = 0; b < absmax.length; b++) {
            // |error| <= half gap * block scale (plus float rounding of code*scale + offset)
            double bound = DYNAMIC_MAP_HALF_GAP * scales[b / 256] + 2 * Math.ulp(absmax[b]);
            assertThat((double) Math.abs(used[b] - absmax[b])).as("block %d", b).isLessThanOrEqualTo(bound);
            worstRelative = Math.max(worstRelative, Math.abs(used[b] - absmax[b]) / absmax[b]);
        }
        // N(0, 0.02) blocks of 64: absmax lies in ~[0.03, 0.09] around a mean of ~0.052, so the block
        // scale (largest |absmax - mean|) is ~0.03 and the worst relative error ~0.7% * 0.03 / 0.03
        assertThat(worstRelative).isLessThan(0.01);
    }

    @Test
    void storesFourPointOneTwoSevenBitsPerParameterForA4096By4096Weight() {
        int n = 4096 * 4096;
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {4096, 4096}, TestWeights.normal(n, 0.02, 5), Nf4Options.DEFAULT);
        // codes + 8-bit absmax per 64 + fp32 scale per 64*256 + one fp32 offset for the tensor
        assertThat(t.storageBytes()).isEqualTo(n / 2 + n / 64 + 4L * (n / (64 * 256)) + 4);
        assertThat(t.bitsPerParameter()).isEqualTo(4 + 8.0 / 64 + 32.0 / (64 * 256) + 32.0 / n);
        assertThat(t.bitsPerParameter()).isCloseTo(4.127, within(5e-4));
        Nf4Tensor plain = Nf4Tensor.fromParts(new long[] {4096, 4096}, Nf4Options.DEFAULT.withoutDoubleQuant(),
            t.packedCodes(), t.dequantizedAbsmax());
        assertThat(plain.bitsPerParameter()).isEqualTo(4.5);
    }

    @Test
    void beatsInt4AbsmaxOnNormalWeights() {
        float[] w = TestWeights.normal(1 << 20, 0.02, 6);
        double nf4 = QuantError.compare(w, Nf4Tensor.quantize(new long[] {w.length}, w, Nf4Options.DEFAULT).dequantize()).relativeL2();
        double int4 = QuantError.compare(w, Int4Absmax.roundTrip(w, 64)).relativeL2();
        assertThat(nf4).isLessThan(int4 * 0.9);
    }

    @Test
    void packsTheFirstElementOfEachPairIntoTheHighNibble() {
        Nf4Options opts = new Nf4Options(2, false, 256);
        assertThat(Nf4Tensor.quantize(new long[] {2}, new float[] {1f, -1f}, opts).packedCodes())
            .containsExactly((byte) 0xF0);
        assertThat(Nf4Tensor.quantize(new long[] {2}, new float[] {-1f, 1f}, opts).packedCodes())
            .containsExactly((byte) 0x0F);
        assertThat(Nf4Tensor.quantize(new long[] {2}, new float[] {0f, 0.5f}, opts).packedCodes())
            .containsExactly((byte) 0x7F);
    }

    @Test
    void handlesOddSizesAndAPartialFinalBlock() {
        float[] w = TestWeights.normal(21, 1.0, 8);
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {3, 7}, w, new Nf4Options(8, true, 2));
        assertThat(t.numel()).isEqualTo(21);
        assertThat(t.shape()).containsExactly(3, 7);
        assertThat(t.blockCount()).isEqualTo(3);
        assertThat(t.packedCodes()).hasSize(11);
        assertThat(t.packedCodes()[10] & 0x0F).as("padding nibble").isEqualTo(Nf4Codebook.ZERO_CODE);
        assertThat(t.quantizedAbsmax()).hasSize(3);
        assertThat(t.absmaxScales()).hasSize(2);
        float[] exact = TestWeights.blockAbsmax(w, 8);
        assertThat(t.dequantizedAbsmax()[2]).isCloseTo(exact[2], within(exact[2] * 0.01f));
        float[] dq = t.dequantize();
        assertThat(dq).hasSize(21);
        assertThat(QuantError.compare(w, dq).relativeL2()).isLessThan(0.2);
    }

    @Test
    void treatsAnAllZeroBlockAsZeros() {
        float[] w = new float[128];
        w[100] = 0.5f;
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {128}, w, Nf4Options.DEFAULT);
        float[] dq = t.dequantize();
        assertThat(dq[100]).isCloseTo(0.5f, within(0.5f * 0.01f));
        assertThat(dq[5]).isZero();
        assertThat(dq[70]).isZero();
    }

    @Test
    void rebuildsFromSavedParts() {
        float[] w = TestWeights.normal(5003, 0.02, 9);
        long[] shape = {5003};
        Nf4Tensor dq = Nf4Tensor.quantize(shape, w, new Nf4Options(64, true, 16));
        Nf4Tensor dqBack = Nf4Tensor.fromParts(shape, dq.options(), dq.packedCodes(), dq.quantizedAbsmax(),
            dq.absmaxScales(), dq.absmaxOffset());
        assertThat(dqBack.dequantize()).containsExactly(dq.dequantize());
        assertThat(dqBack.storageBytes()).isEqualTo(dq.storageBytes());

        Nf4Tensor plain = Nf4Tensor.quantize(shape, w, new Nf4Options(64, false, 16));
        Nf4Tensor plainBack = Nf4Tensor.fromParts(shape, plain.options(), plain.packedCodes(), plain.absmax());
        assertThat(plainBack.dequantize()).containsExactly(plain.dequantize());
    }

    @Test
    void rejectsPartsOfTheWrongLengthNamingTheField() {
        Nf4Tensor t = Nf4Tensor.quantize(new long[] {256}, TestWeights.normal(256, 1, 10), Nf4Options.DEFAULT);
        assertThatThrownBy(() -> Nf4Tensor.fromParts(new long[] {256}, t.options(), new byte[127],
            t.quantizedAbsmax(), t.absmaxScales(), t.absmaxOffset()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("packedCodes");
        assertThatThrownBy(() -> Nf4Tensor.fromParts(new long[] {256}, t.options(), t.packedCodes(),
            new byte[3], t.absmaxScales(), t.absmaxOffset()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantizedAbsmax");
    }

    @Test
    void rejectsWeightsThatDoNotMatchTheShapeOrAreNotFinite() {
        assertThatThrownBy(() -> Nf4Tensor.quantize(new long[] {2, 3}, new float[5], Nf4Options.DEFAULT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape");
        assertThatThrownBy(() -> Nf4Tensor.quantize(new long[] {2}, new float[] {1f, Float.NaN}, Nf4Options.DEFAULT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights[1]");
    }
}
