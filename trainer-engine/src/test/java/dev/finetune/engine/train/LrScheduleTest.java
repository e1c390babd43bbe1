package dev.finetune.engine.train;

import dev.finetune.settings.LrScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Values of Hugging Face's schedules (transformers.optimization) at chosen steps. */
class LrScheduleTest {

    @Test
    void warmsUpLinearlyFromZero() {
        for (LrScheduler type : LrScheduler.values()) {
            assertThat(LrSchedule.multiplier(type, 0, 10, 100)).isEqualTo(0.0);
            assertThat(LrSchedule.multiplier(type, 5, 10, 100)).isEqualTo(0.5);
            assertThat(LrSchedule.multiplier(type, 10, 10, 100)).isEqualTo(1.0);
        }
    }

    @Test
    void decaysLinearlyOrAlongAHalfCosineToZero() {
        assertThat(LrSchedule.multiplier(LrScheduler.LINEAR, 55, 10, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(LrSchedule.multiplier(LrScheduler.LINEAR, 100, 10, 100)).isEqualTo(0.0);
        assertThat(LrSchedule.multiplier(LrScheduler.COSINE, 55, 10, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(LrSchedule.multiplier(LrScheduler.COSINE, 32, 10, 100)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 22 / 90)), within(1e-12));
        assertThat(LrSchedule.multiplier(LrScheduler.CONSTANT, 99, 10, 100)).isEqualTo(1.0);
    }
}
