package dev.finetune.engine.recipe;

import dev.finetune.settings.FineTuningMethod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.engine.testing.Samples;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FineTuneSpecTest {

    static FineTuneSpec.Builder spec() {
        return FineTuneSpec.builder(Samples.tinystories(), Samples.dataset("llamafactory_identity.json"), FineTuningMethod.LORA);
    }

    @Test
    void fillsTheDocumentedDefaults() {
        FineTuneSpec s = spec().build();
        assertThat(s.encoder().maxSeqLen()).isEqualTo(512);
        assertThat(s.encoder().trainOnInputs()).isFalse();
        assertThat(s.encoder().addEos()).isTrue();
        assertThat(s.evalFraction()).isEqualTo(0.1);
        assertThat(s.device()).isEqualTo("cpu");
        assertThat(s.baseModelName()).isEqualTo("tinystories-656k");
        assertThat(s.lora().r()).isEqualTo(8);
        assertThat(s.packing()).isFalse();
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> spec().evalFraction(1).build()).hasMessageContaining("evalFraction");
        assertThatThrownBy(() -> spec().device("tpu").build()).hasMessageContaining("device").hasMessageContaining("tpu");
        assertThatThrownBy(() -> FineTuneSpec.builder(null, Path.of("x"), FineTuningMethod.LORA).build())
                .hasMessageContaining("modelDir");
        assertThatThrownBy(() -> FineTuneSpec.builder(Samples.tinystories(), Path.of("no/such.jsonl"), FineTuningMethod.LORA)
                .build().checkFiles()).hasMessageContaining("dataFile").hasMessageContaining("no/such.jsonl");
        assertThatThrownBy(() -> FineTuneSpec.builder(Path.of("no/model"), Samples.dataset("gsm8k_train_400.jsonl"),
                FineTuningMethod.LORA).build().checkFiles()).hasMessageContaining("modelDir");
    }
}
