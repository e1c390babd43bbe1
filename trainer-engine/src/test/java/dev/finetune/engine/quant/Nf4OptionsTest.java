package dev.finetune.engine.quant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Nf4OptionsTest {

    @Test
    void defaultsToBitsandbytesQloraSettings() {
        assertThat(Nf4Options.DEFAULT).isEqualTo(new Nf4Options(64, true, 256));
    }

    @Test
    void rejectsNonPositiveOrOddBlockSizeNamingTheField() {
        assertThatThrownBy(() -> new Nf4Options(0, true, 256))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockSize");
        assertThatThrownBy(() -> new Nf4Options(63, false, 256))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockSize");
    }

    @Test
    void rejectsNonPositiveAbsmaxBlockSizeNamingTheField() {
        assertThatThrownBy(() -> new Nf4Options(64, true, -1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absmaxBlockSize");
    }
}
