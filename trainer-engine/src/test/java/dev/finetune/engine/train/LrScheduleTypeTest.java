package dev.finetune.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Values of Hugging Face's schedules (transformers.optimization) at chosen steps. */
class LrScheduleTypeTest {

    @Test
    void warmsUpLinearlyFromZero() {
        for (LrScheduleType type : LrScheduleType.values()) {
            assertThat(type.multiplier(0, 10, 100)).isEqualTo(0.0);
            assertThat(type.multiplier(5, 10, 100)).isEqualTo(0.5);
            assertThat(type.multiplier(10, 10, 100)).isEqualTo(1.0);
        }
    }

    @Test
    void decaysLinearlyOrAlongAHalfCosineToZero() {
        assertThat(LrScheduleType.LINEAR.multiplier(55, 10, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(LrScheduleType.LINEAR.multiplier(100, 10, 100)).isEqualTo(0.0);
        assertThat(LrScheduleType.COSINE.multiplier(55, 10, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(LrScheduleType.COSINE.multiplier(32, 10, 100)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 22 / 90)), within(1e-12));
        assertThat(LrScheduleType.CONSTANT.multiplier(99, 10, 100)).isEqualTo(1.0);
    }
}
