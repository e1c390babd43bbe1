package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DynamicMapTest {

    @Test
    void hasTheShapeOfBitsandbytesSignedDynamicMap() {
        float[] map = DynamicMap.values();
        assertThat(map).hasSize(256);
        for (int k = 1; k < map.length; k++) {
            assertThat(map[k]).isGreaterThan(map[k - 1]);
        }
        // largest magnitude below 1: mean of the last two points of linspace(0.1, 1, 65)
        assertThat(map[0]).isCloseTo(-0.99296875f, within(1e-7f));
        assertThat(map[255]).isEqualTo(1.0f);
        assertThat(map[DynamicMap.ZERO_CODE]).isZero();
        assertThat(DynamicMap.ZERO_CODE).isEqualTo(127);
        // smallest magnitude: 1e-6 * (0.1 + 1) / 2
        assertThat(map[128]).isCloseTo(5.5e-7f, within(1e-13f));
        assertThat(map[126]).isEqualTo(-map[128]);
    }

    @Test
    void mapsEveryValueToItsOwnCode() {
        for (int k = 0; k < DynamicMap.SIZE; k++) {
            assertThat(DynamicMap.nearest(DynamicMap.value(k))).isEqualTo(k);
        }
    }

    @Test
    void keepsTheLargestHalfGapBelowSevenThousandths() {
        float[] map = DynamicMap.values();
        double worst = 1.0 + map[0]; // distance from -1 to the most negative code
        for (int k = 1; k < map.length; k++) {
            worst = Math.max(worst, (map[k] - map[k - 1]) / 2.0);
        }
        assertThat(worst).isLessThanOrEqualTo(0.00703125 + 1e-7);
    }
}
