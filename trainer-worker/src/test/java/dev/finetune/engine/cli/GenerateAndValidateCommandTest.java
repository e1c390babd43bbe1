package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.recipe.TestData;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code finetune generate} and {@code finetune validate} in-process. */
class GenerateAndValidateCommandTest {

    @TempDir
    Path tmp;

    static CliRunner generate(String... extra) {
        String[] base = {"generate", "--model", Samples.tinystories().toString(), "--max-new-tokens", "16"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRunner.run(args);
    }

    @Test
    void greedyGenerationIsDeterministicAndContinuesThePrompt() {
        CliRunner a = generate("--prompt", "Once upon a time", "--temperature", "0");
        CliRunner b = generate("--prompt", "Once upon a time", "--temperature", "0");
        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(a.out()).startsWith("Once upon a time").isEqualTo(b.out());
        assertThat(a.out().trim().length()).isGreaterThan("Once upon a time".length());
        assertThat(a.err()).isEmpty();
    }

    @Test
    void anEmptyPromptStartsFromBosAndPrintsOnlyTheText() {
        CliRunner r = generate("--temperature", "0.8", "--seed", "3");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isNotBlank().doesNotContain("<s>").doesNotContain("error");
        assertThat(generate("--temperature", "0.8", "--seed", "3").out()).as("seeded sampling repeats").isEqualTo(r.out());
    }

    @Test
    void generatesWithATrainedAdapterAndRefusesAMissingOne() {
        Path out = tmp.resolve("adapter");
        CliRunner train = CliRunner.run(TrainCommandTest.train(out, "--max-steps", "2"));
        assertThat(train.exitCode()).as(train.toString()).isZero();
        CliRunner r = generate("--adapter", out.toString(), "--prompt", "Who are you?", "--chat", "--temperature", "0");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isNotBlank();

        CliRunner missing = generate("--adapter", tmp.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: adapter directory").contains("does not exist");
    }

    @Test
    void validateReportsEveryBadLineAndExitsTwo() throws IOException {
        Path data = TestData.damagedGsm8k(tmp);
        CliRunner r = CliRunner.run("validate", "--data", data.toString(), "--prompt-field", "question",
                "--completion-field", "answer");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).contains("format: completion").contains("rows: 10 (8 valid, 2 invalid)")
                .contains("  line 3: invalid JSON").contains("  line 5 ");
    }

    @Test
    void validateCountsTokensWithTheModelsTokenizerAndExitsZero() {
        CliRunner r = CliRunner.run("validate", "--data", Samples.dataset("glaive_toolcall_40.json").toString(),
                "--model", Samples.tinystories().toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("format: sharegpt").contains("rows: 40 (40 valid, 0 invalid)")
                .contains("counted with the tokenizer").contains("errors: none");
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRunner r = CliRunner.run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("choose a command");
    }
}
