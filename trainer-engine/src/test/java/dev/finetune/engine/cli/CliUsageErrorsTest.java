package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Flags picocli cannot parse: one short paragraph naming the flag, exit 2, never a stack trace or the usage text. */
class CliUsageErrorsTest {

    @Test
    void anUnknownFlagIsNamedWithTheClosestRealOne() {
        // given a typo of --model (and so no --model at all)
        // when
        CliRunner r = CliRunner.run("train", "--modle", "x");

        // then the typo is reported, not the missing flags it caused
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: unknown flag --modle (did you mean --model?)\n"
                + "run 'finetune train --help' to see every flag\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownFlagWithAValueAttachedIsNamedWithoutTheValue() {
        CliRunner r = CliRunner.run("generate", "--model", "m", "--max-new-token=5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unknown flag --max-new-token (did you mean --max-new-tokens?)\n");
    }

    @Test
    void anUnknownFlagFarFromEveryRealOneGetsNoSuggestion() {
        CliRunner r = CliRunner.run("validate", "--data", "d.jsonl", "--banana");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unknown flag --banana\n").doesNotContain("did you mean");
    }

    @Test
    void anUnknownCommandIsNamedWithTheClosestOne() {
        CliRunner r = CliRunner.run("trian", "--model", "m");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unknown command 'trian' (did you mean train?)\n");
    }

    @Test
    void missingRequiredFlagsAreNamedWithTheirValues() {
        CliRunner r = CliRunner.run("train", "--model", "m");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: missing required flags --data FILE, --out DIR\n")
                .doesNotContain("Usage:").doesNotContain("\tat ");
    }

    @Test
    void aFlagGivenWithoutItsValueSaysSo() {
        CliRunner r = CliRunner.run("train", "--model", "m", "--data", "d", "--out", "o", "--max-steps");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --max-steps needs a value (N)\n");
    }

    @Test
    void aValueThatIsNotANumberNamesTheFlag() {
        CliRunner steps = CliRunner.run("train", "--model", "m", "--data", "d", "--out", "o", "--max-steps", "many");
        assertThat(steps.exitCode()).isEqualTo(2);
        assertThat(steps.err()).startsWith("error: Invalid value for option '--max-steps': 'many' is not an int\n");

        CliRunner alpha = CliRunner.run("train", "--model", "m", "--data", "d", "--out", "o", "--lora-alpha", "1,5");
        assertThat(alpha.exitCode()).isEqualTo(2);
        assertThat(alpha.err()).contains("'--lora-alpha'").contains("'1,5'").doesNotContain("loraAlpha");
    }

    @Test
    void aStrayArgumentIsExplained() {
        CliRunner r = CliRunner.run("validate", "--data", "a", "b");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: unexpected argument 'b': validate takes only flags");
    }
}
