package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class QuantErrorTest {

    @Test
    void reportsRmseMaxAbsAndRelativeL2() {
        QuantError e = QuantError.compare(new float[] {3, 4}, new float[] {3, 3});
        assertThat(e.rmse()).isCloseTo(Math.sqrt(0.5), within(1e-12));
        assertThat(e.maxAbs()).isEqualTo(1.0);
        assertThat(e.relativeL2()).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void rejectsArraysOfDifferentLength() {
        assertThatThrownBy(() -> QuantError.compare(new float[2], new float[3]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
    }
}
