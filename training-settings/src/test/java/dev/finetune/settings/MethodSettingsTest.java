package dev.finetune.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class MethodSettingsTest {

    @Test
    void definesPeftStyleLoraDefaults() {
        // given
        LoraSettings lora = LoraSettings.DEFAULTS;

        // when
        double scaling = lora.scaling();

        // then
        assertThat(lora.r()).isEqualTo(8);
        assertThat(lora.alpha()).isEqualTo(16);
        assertThat(lora.dropout()).isEqualTo(0.05);
        assertThat(lora.targetModules().names()).containsExactly("q_proj", "v_proj");
        assertThat(scaling).isEqualTo(2.0);
    }

    @Test
    void rejectsAZeroRankNamingTheApiField() {
        // given
        LoraSettings lora = LoraSettings.DEFAULTS;

        // when / then
        assertThatThrownBy(() -> lora.withR(0)).isInstanceOf(InvalidSettingException.class)
                .hasMessage("lora_r must be > 0 but was 0");
    }

    @Test
    void scalesBySqrtRankWithRslora() {
        // given
        LoraSettings lora = LoraSettings.DEFAULTS.withR(16).withAlpha(8).withRslora(true);

        // when
        double scaling = lora.scaling();

        // then
        assertThat(scaling).isEqualTo(2.0);
    }

    @Test
    void refusesDoraForABottleneckAdapter() {
        // given
        LoraSettings dora = LoraSettings.DEFAULTS.withDora(true);

        // when / then
        assertThatThrownBy(() -> dora.checkFitsMethod(FineTuningMethod.ADAPTER))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("use_dora applies to methods lora and qlora only");
    }

    @Test
    void picksTheMethodsOwnDefaults() {
        // given
        FineTuningMethod adapter = FineTuningMethod.ADAPTER;

        // when
        MethodSettings settings = MethodSettings.defaultsFor(adapter);

        // then
        assertThat(settings).isEqualTo(new BottleneckSettings(AdapterKind.PFEIFFER, 16));
        assertThat(MethodSettings.defaultsFor(FineTuningMethod.QLORA)).isEqualTo(LoraSettings.DEFAULTS);
    }

    @Test
    void rejectsAZeroReductionFactorNamingTheApiField() {
        // given
        BottleneckSettings b = BottleneckSettings.DEFAULTS;

        // when / then
        assertThatThrownBy(() -> b.withReductionFactor(0)).hasMessage("adapter_reduction_factor must be > 0 but was 0");
    }

    @Test
    void readsAllLinearFromACommandLineList() {
        // given
        List<String> words = List.of(" all-linear ");

        // when
        TargetModules modules = TargetModules.parse(words);

        // then
        assertThat(modules).isEqualTo(TargetModules.ALL);
        assertThat(modules.asList()).containsExactly("all-linear");
        assertThatThrownBy(() -> TargetModules.parse(List.of("q_proj", "bad name")))
                .hasMessageStartingWith("target_modules must contain module names");
    }
}
