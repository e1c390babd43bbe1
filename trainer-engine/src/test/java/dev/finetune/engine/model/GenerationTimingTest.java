package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GenerationTimingTest {

    @Test
    void prefillRateCountsThePromptAndDecodeRateEveryTokenButTheFirst() {
        // given 8 prompt tokens in 4 ms, then 16 tokens of which the first came from prefill, 15 in 30 ms
        GenerationTiming timing = new GenerationTiming(8, 4_000_000, 16, 30_000_000);

        // then
        assertThat(timing.decodedTokens()).isEqualTo(15);
        assertThat(timing.promptTokensPerSecond()).isCloseTo(2000.0, within(1e-9));
        assertThat(timing.decodeTokensPerSecond()).isCloseTo(500.0, within(1e-9));
    }

    @Test
    void ratesAreNotANumberWhenAPhaseDidNotRun() {
        assertThat(new GenerationTiming(5, 0, 0, 0).promptTokensPerSecond()).isNaN();
        assertThat(new GenerationTiming(5, 3_000_000, 1, 0).decodeTokensPerSecond()).isNaN();
    }
}
