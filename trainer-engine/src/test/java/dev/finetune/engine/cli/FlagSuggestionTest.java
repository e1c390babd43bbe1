package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagSuggestionTest {

    static final List<String> TRAIN_FLAGS = List.of("--model", "--data", "--out", "--method", "--max-steps",
            "--epochs", "--learning-rate", "--lora-r", "--log-every", "--help", "--version");

    @Test
    void suggestsTheFlagOneSwapAway() {
        // given a typo that swaps two letters
        String typed = "--modle";

        // when
        var suggestion = FlagSuggestion.closest(typed, TRAIN_FLAGS);

        // then
        assertThat(suggestion).contains("--model");
    }

    @Test
    void suggestsAcrossAMissingLetterAndIgnoresTheValueAndCase() {
        assertThat(FlagSuggestion.closest("--lerning-rate", TRAIN_FLAGS)).contains("--learning-rate");
        assertThat(FlagSuggestion.closest("--Max-Step=30", TRAIN_FLAGS)).contains("--max-steps");
        assertThat(FlagSuggestion.closest("--epoch", TRAIN_FLAGS)).contains("--epochs");
    }

    @Test
    void saysNothingWhenNoFlagIsClose() {
        assertThat(FlagSuggestion.closest("--banana", TRAIN_FLAGS)).isEmpty();
        assertThat(FlagSuggestion.closest("--x", TRAIN_FLAGS)).as("one letter is never 'close' to anything").isEmpty();
        assertThat(FlagSuggestion.closest("--gpu", TRAIN_FLAGS)).isEmpty();
    }

    @Test
    void countsASwapOfNeighboursAsOneEdit() {
        assertThat(FlagSuggestion.distance("modle", "model")).isEqualTo(1);
        assertThat(FlagSuggestion.distance("lerning", "learning")).isEqualTo(1);
        assertThat(FlagSuggestion.distance("abc", "xyz")).isEqualTo(3);
        assertThat(FlagSuggestion.distance("", "out")).isEqualTo(3);
    }
}
