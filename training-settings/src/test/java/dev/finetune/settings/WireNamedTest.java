package dev.finetune.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class WireNamedTest {

    @Test
    void namesEveryChoiceByItsLowerCaseWord() {
        // given
        Class<?>[] choices = {FineTuningMethod.class, LrScheduler.class, AdapterKind.class, DatasetFormat.class};

        // when / then
        for (Class<?> type : choices) {
            for (Object constant : type.getEnumConstants()) {
                assertThat(((WireNamed) constant).wireName()).isEqualTo(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
            }
        }
        assertThat(FineTuningMethod.fromWire("qlora")).isEqualTo(FineTuningMethod.QLORA);
        assertThat(Arrays.stream(DatasetFormat.values()).map(DatasetFormat::wireName))
                .containsExactly("chat", "instruction", "completion", "sharegpt", "text");
    }

    @Test
    void rejectsAnUnknownWordNamingTheFieldAndTheChoices() {
        // given
        String word = "step";

        // when / then
        assertThatThrownBy(() -> LrScheduler.fromWire(word)).isInstanceOf(InvalidSettingException.class)
                .hasMessage("lr_scheduler must be one of [constant, linear, cosine] but was 'step'");
        assertThatThrownBy(() -> FineTuningMethod.fromWire(null)).hasMessage("method must be one of [lora, qlora, adapter]");
    }
}
