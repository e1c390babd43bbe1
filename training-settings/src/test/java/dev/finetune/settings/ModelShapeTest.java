package dev.finetune.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelShapeTest {

    /** tinystories-656k's config.json: hidden 128, 8 heads of 16, 4 KV heads, intermediate 384, vocab 2048. */
    static final Map<String, Object> TINYSTORIES = Map.of("hidden_size", 128, "num_attention_heads", 8,
            "num_key_value_heads", 4, "intermediate_size", 384, "vocab_size", 2048, "model_type", "llama");

    final ModelShape shape = ModelShape.fromConfig(TINYSTORIES).orElseThrow();

    @Test
    void readsTheWidthsOfEachTargetableLayerFromTheConfig() {
        // when
        Map<String, Integer> widths = shape.layerWidths();

        // then
        assertThat(widths).containsEntry("q_proj", 128).containsEntry("k_proj", 64).containsEntry("v_proj", 64)
                .containsEntry("gate_proj", 128).containsEntry("lm_head", 128);
    }

    @Test
    void refusesARankAboveTheNarrowestTargetedLayerNamingLoraR() {
        // given q_proj and v_proj: v_proj is 4 x 16 = 64 wide
        LoraSettings rank65 = new LoraSettings(65, 16, 0.0, TargetModules.of("q_proj", "v_proj"), false, false);
        LoraSettings rank64 = new LoraSettings(64, 16, 0.0, TargetModules.of("q_proj", "v_proj"), false, false);

        // when / then
        assertThatThrownBy(() -> shape.check(rank65)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("lora_r must be <= 64").hasMessageContaining("but was 65");
        assertThatCode(() -> shape.check(rank64)).doesNotThrowAnyException();
    }

    @Test
    void refusesATargetModuleTheModelDoesNotHave() {
        // given
        LoraSettings bogus = new LoraSettings(8, 16, 0.0, TargetModules.of("q_proj", "qkv_proj"), false, false);

        // when / then
        assertThatThrownBy(() -> shape.check(bogus)).isInstanceOf(InvalidSettingException.class)
                .satisfies(e -> assertThat(((InvalidSettingException) e).field()).isEqualTo("target_modules"))
                .hasMessageContaining("'qkv_proj'");
    }

    @Test
    void refusesAReductionFactorAboveTheHiddenSize() {
        // when / then
        assertThatThrownBy(() -> shape.check(new BottleneckSettings(AdapterKind.PFEIFFER, 129)))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("adapter_reduction_factor must be <= the model's hidden_size 128");
        assertThatCode(() -> shape.check(new BottleneckSettings(AdapterKind.PFEIFFER, 128))).doesNotThrowAnyException();
    }

    @Test
    void checksNothingWhenTheConfigLacksAWidth() {
        // when
        var partial = ModelShape.fromConfig(Map.of("hidden_size", 128, "model_type", "llama"));

        // then
        assertThat(partial).isEmpty();
    }
}
