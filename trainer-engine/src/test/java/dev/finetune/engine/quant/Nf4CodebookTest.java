package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Nf4CodebookTest {

    @Test
    void holdsExactlyTheBitsandbytesNf4Values() {
        float[] bnb = {
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
        };
        assertThat(Nf4Codebook.values()).containsExactly(bnb);
        assertThat(Nf4Codebook.value(Nf4Codebook.ZERO_CODE)).isZero();
    }

    @Test
    void mapsEveryCodebookValueToItsOwnCode() {
        for (int k = 0; k < Nf4Codebook.SIZE; k++) {
            assertThat(Nf4Codebook.nearest(Nf4Codebook.value(k))).isEqualTo(k);
        }
    }

    @Test
    void splitsAtMidpointsWithTiesGoingToTheLowerCode() {
        float[] mids = Nf4Codebook.midpoints();
        // bitsandbytes' first threshold: x > 0.03979014977812767f picks code 8
        assertThat(mids[7]).isEqualTo(0.03979014977812767f);
        for (int k = 0; k < mids.length; k++) {
            assertThat(Nf4Codebook.nearest(mids[k])).isEqualTo(k);
            assertThat(Nf4Codebook.nearest(Math.nextUp(mids[k]))).isEqualTo(k + 1);
        }
    }

    @Test
    void clampsValuesOutsideTheUnitIntervalToTheEndCodes() {
        assertThat(Nf4Codebook.nearest(-3f)).isZero();
        assertThat(Nf4Codebook.nearest(1.0000001f)).isEqualTo(15);
    }

    /** Exhaustive: every float in [-1, 1] (2.1 billion, both signs) and its two neighbours outside. */
    @Test
    void tableLookupAgreesWithTheBinarySearchForEveryFloatInTheUnitInterval() {
        int one = Float.floatToRawIntBits(1f);
        long mismatches = java.util.stream.IntStream.rangeClosed(0, one).parallel().filter(bits -> {
            float x = Float.intBitsToFloat(bits);
            return Nf4Codebook.nearestInUnit(x) != Nf4Codebook.nearest(x)
                    || Nf4Codebook.nearestInUnit(-x) != Nf4Codebook.nearest(-x);
        }).count();
        assertThat(mismatches).isZero();
        for (float x : new float[] {Math.nextUp(1f), Math.nextDown(-1f)}) {
            assertThat(Nf4Codebook.nearestInUnit(x)).as("x=%s", x).isEqualTo(Nf4Codebook.nearest(x));
        }
    }
}
