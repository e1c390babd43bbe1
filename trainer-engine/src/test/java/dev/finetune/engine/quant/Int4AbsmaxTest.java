package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class Int4AbsmaxTest {

    @Test
    void roundsToFifteenSymmetricLevelsOfAbsmaxOverSeven() {
        float[] w = {0.7f, -0.7f, 0.34f, 0.36f, 0.04f, 0.06f, 0f, -0.26f};
        float[] q = Int4Absmax.roundTrip(w, 8);
        float step = 0.7f / 7;
        assertThat(q[0]).isEqualTo(7 * step);
        assertThat(q[1]).isEqualTo(-7 * step);
        assertThat(q[2]).isCloseTo(3 * step, within(1e-7f));
        assertThat(q[3]).isCloseTo(4 * step, within(1e-7f));
        assertThat(q[4]).isZero();
        assertThat(q[5]).isCloseTo(step, within(1e-7f));
        assertThat(q[6]).isZero();
        assertThat(q[7]).isCloseTo(-3 * step, within(1e-7f));
    }

    @Test
    void scalesEachBlockIncludingAPartialLastOneByItsOwnAbsmax() {
        float[] w = {1f, 0.5f, 100f, -50f, 0.001f};
        float[] q = Int4Absmax.roundTrip(w, 2);
        assertThat(q[0]).isEqualTo(1f);
        assertThat(q[2]).isEqualTo(100f);
        assertThat(q[4]).isEqualTo(0.001f);
    }

    @Test
    void hasAboutTenPercentRelativeErrorOnGaussianWeights() {
        // uniform-noise model: step = absmax/7 with absmax ~ 2.6 sigma -> rel = 2.6 / 7 / sqrt(12) = 0.107
        float[] w = TestWeights.normal(1 << 18, 0.02, 11);
        assertThat(QuantError.compare(w, Int4Absmax.roundTrip(w, 64)).relativeL2()).isBetween(0.095, 0.12);
    }
}
