package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.testing.Samples;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LoraSettings;
import dev.finetune.settings.TrainingSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code train} with no setting flag trains with the shared settings' defaults, the values a job
 * with no hyperparameters gets from the API (platform-api's {@code JobDefaultsTest} holds the other side).
 */
class SettingsDefaultsTest {

    static TrainCommand parsed(String... args) {
        CommandLine cli = FinetuneCli.commandLine();
        cli.parseArgs(args);
        return cli.getSubcommands().get("train").getCommand();
    }

    @Test
    void trainsWithTheSharedDefaultsWhenNoSettingFlagIsGiven() {
        // given
        TrainCommand train = parsed("train", "--model", Samples.tinystories().toString(), "--data", "data.jsonl",
                "--out", "out");

        // when
        FineTuneSpec spec = train.spec();

        // then
        assertThat(train.settings()).isEqualTo(TrainingSettings.DEFAULTS);
        assertThat(spec.method()).isEqualTo(FineTuningMethod.DEFAULT);
        assertThat(spec.lora()).isEqualTo(LoraConfig.from(LoraSettings.DEFAULTS));
        assertThat(spec.bottleneck()).isEqualTo(BottleneckConfig.from(BottleneckSettings.DEFAULTS));
        assertThat(spec.training().epochs()).isEqualTo(TrainingSettings.DEFAULT_N_EPOCHS);
        assertThat(spec.encoder().maxSeqLen()).isEqualTo(TrainingSettings.DEFAULT_MAX_SEQ_LENGTH);
        assertThat(spec.packing()).isEqualTo(TrainingSettings.DEFAULT_PACKING);
    }

    @Test
    void showsTheSharedDefaultsInItsHelp() {
        // given
        CommandLine train = FinetuneCli.commandLine().getSubcommands().get("train");

        // when
        String help = train.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        // then
        assertThat(help).contains("(default: " + TrainingSettings.DEFAULT_N_EPOCHS + ")")
                .contains("Peak learning rate (default: 0.0002)")
                .contains("(default: " + LoraSettings.DEFAULT_ALPHA + ")")
                .contains("(default: q_proj,v_proj)");
    }
}
