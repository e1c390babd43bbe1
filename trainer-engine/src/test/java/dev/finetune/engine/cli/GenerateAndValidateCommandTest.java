package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.recipe.AdapterInference;
import dev.finetune.engine.recipe.TestData;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void timingPrintsTokenCountsAndSpeedsOnStderrAfterTheText() {
        // given the prompt's real token count (BOS first) and the engine's own greedy continuation
        int promptTokens;
        try (TextTokenizer tokenizer = HfTokenizer.load(Samples.tinystories())) {
            int[] ids = tokenizer.encode("Once upon a time", true);
            promptTokens = ids.length > 0 && ids[0] == tokenizer.bosId() ? ids.length : ids.length + 1;
        }
        int generatedTokens;
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), null, "cpu")) {
            generatedTokens = inference.generate("Once upon a time", SamplingOptions.greedy(16)).tokenIds().length;
        }

        // when
        CliRunner timed = generate("--prompt", "Once upon a time", "--temperature", "0", "--timing");

        // then stdout is the same text as without --timing, and stderr holds one line of timing
        assertThat(timed.exitCode()).as(timed.toString()).isZero();
        assertThat(timed.out()).isEqualTo(generate("--prompt", "Once upon a time", "--temperature", "0").out());
        Matcher m = Pattern.compile("timing: prompt (\\d+) tokens, prefill ([\\d.]+) ms \\(([\\d.]+) tok/s\\) \\| "
                + "generated (\\d+) tokens, decode ([\\d.]+) ms for (\\d+) \\(([\\d.]+) tok/s\\) \\| total ([\\d.]+) ms\n")
                .matcher(timed.err());
        assertThat(m.matches()).as(timed.err()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(promptTokens);
        assertThat(Integer.parseInt(m.group(4))).isEqualTo(generatedTokens).isEqualTo(16);
        assertThat(Integer.parseInt(m.group(6))).isEqualTo(generatedTokens - 1);
        double prefillMs = Double.parseDouble(m.group(2));
        double decodeMs = Double.parseDouble(m.group(5));
        assertThat(prefillMs).isPositive().isLessThan(60_000);
        assertThat(decodeMs).isPositive().isLessThan(60_000);
        assertThat(Double.parseDouble(m.group(8))).isCloseTo(prefillMs + decodeMs, within(0.11));
        assertIsCountOverTime(Double.parseDouble(m.group(3)), promptTokens, prefillMs);
        assertIsCountOverTime(Double.parseDouble(m.group(7)), generatedTokens - 1, decodeMs);
    }

    /** tokens/s printed to 0.1 from a time printed to 0.1 ms: within what the two roundings allow. */
    static void assertIsCountOverTime(double perSecond, int tokens, double millis) {
        assertThat(perSecond).isBetween(tokens / ((millis + 0.05) / 1000) - 0.05, tokens / ((millis - 0.05) / 1000) + 0.05);
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
        assertThat(r.err()).isEqualTo("base: dense weights (the adapter was trained with lora)\n");

        CliRunner missing = generate("--adapter", tmp.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: adapter directory").contains("does not exist");
    }

    @Test
    void aQloraAdapterGeneratesOnTheNf4BaseItWasTrainedOnAndSaysSo() {
        Path out = tmp.resolve("qlora");
        CliRunner train = CliRunner.run(TrainCommandTest.train(out, "--max-steps", "2", "--method", "qlora"));
        assertThat(train.exitCode()).as(train.toString()).isZero();
        CliRunner auto = generate("--adapter", out.toString(), "--prompt", "Once upon a time", "--temperature", "0");
        assertThat(auto.exitCode()).as(auto.toString()).isZero();
        assertThat(auto.err()).isEqualTo("base: nf4 weights (the adapter was trained with qlora)\n");
        CliRunner nf4 = generate("--adapter", out.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--base-weights", "nf4");
        assertThat(nf4.out()).isEqualTo(auto.out());
        assertThat(nf4.err()).isEqualTo("base: nf4 weights (as asked)\n");
        CliRunner dense = generate("--adapter", out.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--base-weights", "dense");
        assertThat(dense.exitCode()).as(dense.toString()).isZero();
        assertThat(dense.err()).isEqualTo("base: dense weights (as asked)\n");
        assertThat(generate("--base-weights", "fp8").err()).contains("--base-weights must be auto, dense or nf4");
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
