package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class FlagNamesTest {

    @Test
    void namesTheFlagForAFieldAnywhereInTheMessage() {
        // given an engine message naming two fields
        String message = "n_epochs must be > 0 when max_steps is not set, got 0.0";

        // when
        String shown = FlagNames.TRAIN.inFlagTerms(message);

        // then
        assertThat(shown).isEqualTo("--epochs must be > 0 when --max-steps is not set, got 0.0");
    }

    @Test
    void replacesPlainWordsOnlyAsTheSubjectOfTheMessage() {
        assertThat(FlagNames.TRAIN.inFlagTerms("method must be one of [lora, qlora, adapter] but was 'x'"))
                .isEqualTo("--method must be one of [lora, qlora, adapter] but was 'x'");
        assertThat(FlagNames.TRAIN.inFlagTerms("device must be cpu, cuda or cuda:N, got 'tpu'"))
                .isEqualTo("--device must be cpu, cuda or cuda:N, got 'tpu'");
        assertThat(FlagNames.TRAIN.inFlagTerms("no CUDA device is visible")).isEqualTo("no CUDA device is visible");
    }

    @Test
    void leavesPathsDottedNamesAndQuotedValuesAlone() {
        assertThat(FlagNames.TRAIN.inFlagTerms("dataFile runs/dataFile.jsonl does not exist"))
                .isEqualTo("--data runs/dataFile.jsonl does not exist");
        assertThat(FlagNames.TRAIN.inFlagTerms("method must be one of lora, qlora, adapter, got 'max_steps'"))
                .isEqualTo("--method must be one of lora, qlora, adapter, got 'max_steps'");
        assertThat(FlagNames.TRAIN.inFlagTerms("tensor model.learning_rate missing")).contains("model.learning_rate");
    }

    @Test
    void everyFlagItNamesIsARealFlagOfItsCommand() {
        CommandLine cli = FinetuneCli.commandLine();
        Map<String, FlagNames> byCommand = Map.of("train", FlagNames.TRAIN, "generate", FlagNames.GENERATE,
                "validate", FlagNames.VALIDATE);
        byCommand.forEach((command, names) -> {
            Set<String> flags = new HashSet<>();
            cli.getSubcommands().get(command).getCommandSpec().options()
                    .forEach(o -> flags.addAll(Arrays.asList(o.names())));
            assertThat(Stream.concat(names.identifiers().values().stream(), names.subjects().values().stream()))
                    .as(command).allMatch(flags::contains);
        });
    }

    @Test
    void everyFlagValueHasALabelRatherThanItsJavaFieldName() {
        // picocli's default label is the Java field in angle brackets (--batch-size=<batchSize>)
        for (CommandLine command : FinetuneCli.commandLine().getSubcommands().values()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.arity().max() > 0) {
                    assertThat(option.paramLabel()).as(command.getCommandName() + " " + option.longestName())
                            .doesNotStartWith("<");
                }
            }
        }
    }
}
