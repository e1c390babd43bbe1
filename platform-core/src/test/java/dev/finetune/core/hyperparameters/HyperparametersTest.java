package dev.finetune.core.hyperparameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.finetune.core.json.InvalidJsonException;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TargetModules;
import dev.finetune.settings.TrainingSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HyperparametersTest {

    @Test
    void emptyJsonGivesPeftStyleDefaults() {
        // when
        Hyperparameters h = Hyperparameters.fromJson("{}");

        // then
        assertThat(h).isEqualTo(Hyperparameters.defaults());
        assertThat(h.batchSize()).isEqualTo(4);
        assertThat(h.learningRate()).isEqualTo(2e-4);
        assertThat(h.lrScheduler()).isEqualTo(LrScheduler.COSINE);
        assertThat(h.warmupRatio()).isEqualTo(0.03);
        assertThat(h.loraR()).isEqualTo(8);
        assertThat(h.loraAlpha()).isEqualTo(16);
        assertThat(h.loraDropout()).isEqualTo(0.05);
        assertThat(h.targetModules().names()).containsExactly("q_proj", "v_proj");
        assertThat(h.adapterReductionFactor()).isEqualTo(16);
        assertThat(h.adapterKind()).isEqualTo(AdapterKind.PFEIFFER);
        assertThat(h.maxSteps()).isNull();
        assertThat(h.maxSeqLength()).isEqualTo(512);
    }

    @Test
    void readsSnakeCaseFieldsAndWritesThemBack() {
        // given
        String json = """
                {"n_epochs": 2, "max_steps": 50, "lr_scheduler": "linear", "lora_r": 16, "lora_alpha": 32,
                 "target_modules": "all-linear", "use_rslora": true, "adapter_kind": "houlsby", "train_on_inputs": true}
                """;

        // when
        Hyperparameters h = Hyperparameters.fromJson(json);
        String written = h.toJson();

        // then
        assertThat(h.nEpochs()).isEqualTo(2);
        assertThat(h.maxSteps()).isEqualTo(50);
        assertThat(h.lrScheduler()).isEqualTo(LrScheduler.LINEAR);
        assertThat(h.targetModules().allLinear()).isTrue();
        assertThat(h.lora().scaling()).isEqualTo(32 / Math.sqrt(16));
        assertThat(written).contains("\"n_epochs\":2", "\"lora_r\":16", "\"target_modules\":\"all-linear\"",
                "\"lr_scheduler\":\"linear\"", "\"adapter_kind\":\"houlsby\"", "\"use_rslora\":true");
        assertThat(Hyperparameters.fromJson(written)).isEqualTo(h);
    }

    @Test
    void useDoraDefaultsToOffAndRoundTripsThroughJson() {
        // given
        Hyperparameters defaults = Hyperparameters.defaults();

        // when
        Hyperparameters dora = Hyperparameters.fromJson("{\"use_dora\": true}");

        // then
        assertThat(defaults.useDora()).isFalse();
        assertThat(Hyperparameters.fromJson("{}").useDora()).as("a job stored before use_dora existed").isFalse();
        assertThat(dora.useDora()).isTrue();
        assertThat(dora.toJson()).contains("\"use_dora\":true");
        assertThat(Hyperparameters.fromJson(dora.toJson())).isEqualTo(dora);
    }

    @Test
    void useDoraIsRefusedForAMethodWithoutALoraUpdateNamingTheField() {
        // given
        Hyperparameters dora = Hyperparameters.builder().useDora(true).build();

        // when / then
        dora.checkFitsMethod(FineTuningMethod.QLORA);
        Hyperparameters.defaults().checkFitsMethod(FineTuningMethod.ADAPTER);
        assertThatThrownBy(() -> dora.checkFitsMethod(FineTuningMethod.ADAPTER))
                .isInstanceOf(InvalidHyperparameterException.class)
                .hasMessage("use_dora applies to methods lora and qlora only, not adapter (DoRA rescales a LoRA update; "
                        + "a bottleneck adapter has none)")
                .satisfies(e -> assertThat(((InvalidJsonException) e).field()).isEqualTo("use_dora"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lora_r must be > 0                  | {\"lora_r\": 0}",
            "n_epochs must be > 0                | {\"n_epochs\": 0}",
            "batch_size must be > 0              | {\"batch_size\": -1}",
            "learning_rate must be > 0           | {\"learning_rate\": 0}",
            "warmup_ratio must be >= 0 and < 1   | {\"warmup_ratio\": 1.5}",
            "lora_dropout must be >= 0 and < 1   | {\"lora_dropout\": 1}",
            "max_steps must be > 0               | {\"max_steps\": 0}",
            "gradient_accumulation_steps must be | {\"gradient_accumulation_steps\": 0}",
            "max_seq_length must be              | {\"max_seq_length\": 4}",
            "early_stopping_patience must be > 0 | {\"early_stopping_patience\": 0}",
            "adapter_reduction_factor must be    | {\"adapter_reduction_factor\": 0}",
            "target_modules must not be empty    | {\"target_modules\": []}",
            "target_modules must be              | {\"target_modules\": \"some\"}",
            "lr_scheduler must be one of         | {\"lr_scheduler\": \"step\"}",
            "adapter_kind must be one of         | {\"adapter_kind\": \"lora\"}"})
    void validationMessageNamesTheJsonField(String expected, String json) {
        assertThatThrownBy(() -> Hyperparameters.fromJson(json))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageStartingWith(expected.trim())
                .satisfies(e -> assertThat(((InvalidJsonException) e).field()).isEqualTo(expected.trim().split(" ")[0]));
    }

    @Test
    void readsAndWritesAJobStoredBeforeTheSharedSettingsUnchanged() {
        // given: a jsonb row as the platform wrote it before the settings module (the mirrored enums' wire names)
        String stored = "{\"n_epochs\":3,\"max_steps\":null,\"batch_size\":4,\"learning_rate\":2.0E-4,"
                + "\"lr_scheduler\":\"cosine\",\"warmup_ratio\":0.03,\"weight_decay\":0.0,\"max_grad_norm\":1.0,"
                + "\"gradient_accumulation_steps\":1,\"max_seq_length\":512,\"eval_every_steps\":null,"
                + "\"early_stopping_patience\":null,\"train_on_inputs\":false,\"packing\":false,\"lora_r\":8,"
                + "\"lora_alpha\":16,\"lora_dropout\":0.05,\"target_modules\":[\"q_proj\",\"v_proj\"],"
                + "\"use_rslora\":false,\"use_dora\":false,\"adapter_reduction_factor\":16,\"adapter_kind\":\"pfeiffer\"}";

        // when
        Hyperparameters h = Hyperparameters.fromJson(stored);

        // then
        assertThat(h).isEqualTo(Hyperparameters.defaults());
        assertThat(h.toJson()).isEqualTo(stored);
    }

    @Test
    void takesItsDefaultsFromTheSharedSettingsAndGivesThemBack() {
        // given
        Hyperparameters defaults = Hyperparameters.defaults();

        // when
        Hyperparameters rebuilt = Hyperparameters.of(defaults.training(), defaults.lora(), defaults.bottleneck());

        // then
        assertThat(defaults.training()).isEqualTo(TrainingSettings.DEFAULTS);
        assertThat(defaults.lora()).isEqualTo(LoraSettings.DEFAULTS);
        assertThat(defaults.bottleneck()).isEqualTo(BottleneckSettings.DEFAULTS);
        assertThat(defaults.methodSettings(FineTuningMethod.ADAPTER)).isEqualTo(BottleneckSettings.DEFAULTS);
        assertThat(rebuilt).isEqualTo(defaults);
    }

    @Test
    void rejectsAnUnknownFieldByName() {
        assertThatThrownBy(() -> Hyperparameters.fromJson("{\"lora_rank\": 8}"))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageContaining("lora_rank")
                .satisfies(e -> assertThat(((InvalidJsonException) e).field()).isEqualTo("lora_rank"));
    }

    @Test
    void rejectsAWronglyTypedFieldByName() {
        assertThatThrownBy(() -> Hyperparameters.fromJson("{\"batch_size\": \"big\"}"))
                .isInstanceOf(InvalidJsonException.class)
                .satisfies(e -> assertThat(((InvalidJsonException) e).field()).isEqualTo("batch_size"));
    }

    @Test
    void builderValidatesLikeJson() {
        assertThatThrownBy(() -> Hyperparameters.builder().loraR(0).build())
                .isInstanceOf(InvalidHyperparameterException.class).hasMessage("lora_r must be > 0 but was 0");
        assertThat(Hyperparameters.defaults().toBuilder().targetModules(TargetModules.of("q_proj", "k_proj")).build()
                .targetModules().names()).isEqualTo(List.of("q_proj", "k_proj"));
    }
}
