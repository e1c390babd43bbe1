package dev.finetune.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainingSettingsTest {

    @Test
    void startsFromTheDocumentedDefaults() {
        // given
        TrainingSettings.Builder builder = TrainingSettings.builder();

        // when
        TrainingSettings s = builder.build();

        // then
        assertThat(s).isEqualTo(TrainingSettings.DEFAULTS);
        assertThat(s.nEpochs()).isEqualTo(3);
        assertThat(s.maxSteps()).isNull();
        assertThat(s.batchSize()).isEqualTo(4);
        assertThat(s.learningRate()).isEqualTo(2e-4);
        assertThat(s.lrScheduler()).isEqualTo(LrScheduler.COSINE);
        assertThat(s.warmupRatio()).isEqualTo(0.03);
        assertThat(s.maxSeqLength()).isEqualTo(512);
        assertThat(s.evalEverySteps()).isNull();
        assertThat(s.earlyStoppingPatience()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "n_epochs must be > 0 but was 0                      | n_epochs",
            "max_steps must be > 0 but was 0                     | max_steps",
            "batch_size must be > 0 but was 0                    | batch_size",
            "learning_rate must be > 0 and <= 1 but was 2.0      | learning_rate",
            "warmup_ratio must be >= 0 and < 1 but was 1.0       | warmup_ratio",
            "max_grad_norm must be >= 0 but was -1.0             | max_grad_norm",
            "max_seq_length must be <= 131072 but was 200000     | max_seq_length",
            "max_seq_length must be >= 8 but was 4               | max_seq_length_short",
            "eval_every_steps must be > 0 but was 0              | eval_every_steps",
            "early_stopping_patience must be > 0 but was 0       | early_stopping_patience",
            "n_epochs must be <= 50 but was 1000000000           | n_epochs_huge",
            "max_steps must be <= 100000 but was 1000000000      | max_steps_huge",
            "batch_size must be <= 256 but was 1000000           | batch_size_huge",
            "gradient_accumulation_steps must be <= 1024 but was 1000000000 | gradient_accumulation_steps_huge"})
    void rejectsAValueOutOfRangeNamingItsField(String message, String field) {
        // given
        TrainingSettings.Builder b = TrainingSettings.builder();
        switch (field) {
            case "n_epochs" -> b.nEpochs(0);
            case "max_steps" -> b.maxSteps(0);
            case "batch_size" -> b.batchSize(0);
            case "learning_rate" -> b.learningRate(2.0);
            case "warmup_ratio" -> b.warmupRatio(1.0);
            case "max_grad_norm" -> b.maxGradNorm(-1);
            case "max_seq_length" -> b.maxSeqLength(200_000);
            case "max_seq_length_short" -> b.maxSeqLength(4);
            case "eval_every_steps" -> b.evalEverySteps(0);
            case "n_epochs_huge" -> b.nEpochs(1_000_000_000);
            case "max_steps_huge" -> b.maxSteps(1_000_000_000);
            case "batch_size_huge" -> b.batchSize(1_000_000);
            case "gradient_accumulation_steps_huge" -> b.gradientAccumulationSteps(1_000_000_000);
            default -> b.earlyStoppingPatience(0);
        }

        // when / then
        assertThatThrownBy(b::build).isInstanceOf(InvalidSettingException.class).hasMessage(message)
                .satisfies(e -> assertThat(((InvalidSettingException) e).field()).isEqualTo(message.split(" ")[0]));
    }

    @Test
    void acceptsAZeroGradientNormAsNoClipping() {
        // given
        TrainingSettings.Builder b = TrainingSettings.builder().maxGradNorm(0);

        // when
        TrainingSettings s = b.build();

        // then
        assertThat(s.maxGradNorm()).isZero();
    }

    @Test
    void copiesEveryFieldThroughItsBuilder() {
        // given
        TrainingSettings s = TrainingSettings.builder().nEpochs(5).maxSteps(7).batchSize(2).learningRate(0.01)
                .lrScheduler(LrScheduler.LINEAR).warmupRatio(0.1).weightDecay(0.01).maxGradNorm(0.5)
                .gradientAccumulationSteps(3).maxSeqLength(64).evalEverySteps(2).earlyStoppingPatience(1)
                .trainOnInputs(true).packing(true).build();

        // when
        TrainingSettings copy = s.toBuilder().build();

        // then
        assertThat(copy).isEqualTo(s).isNotEqualTo(TrainingSettings.DEFAULTS);
    }
}
