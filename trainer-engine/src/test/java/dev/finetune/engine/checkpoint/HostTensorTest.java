package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostTensorTest {

    @Test
    void rejectsShapeThatDoesNotMatchDataLengthNamingBoth() {
        assertThatThrownBy(() -> HostTensor.of(new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("6 elements").hasMessageContaining("5");
    }

    @Test
    void comparesByShapeAndContentAndPrintsOnlyAFewValues() {
        HostTensor a = HostTensor.of(new long[] {2, 5}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        HostTensor b = HostTensor.of(new long[] {2, 5}, a.data().clone());
        HostTensor c = HostTensor.of(new long[] {5, 2}, a.data().clone());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.toString()).contains("[2, 5]").contains("numel=10").contains("...").doesNotContain("9.0");
        assertThat(a.numel()).isEqualTo(10);
        assertThat(a.get(7)).isEqualTo(7f);
        assertThatThrownBy(() -> a.get(10)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void copiesShapeSoCallersCannotChangeIt() {
        long[] shape = {4};
        HostTensor t = HostTensor.of(shape, new float[4]);
        shape[0] = 99;
        t.shape()[0] = 77;
        assertThat(t.shape()).containsExactly(4);
    }
}
