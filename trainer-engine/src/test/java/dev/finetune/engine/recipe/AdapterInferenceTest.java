package dev.finetune.engine.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.testing.Samples;
import org.junit.jupiter.api.Test;

class AdapterInferenceTest {

    @Test
    void greedyGenerationRepeatsAndAnEmptyPromptStartsFromBos() {
        try (AdapterInference inference = AdapterInference.open(Samples.tinystories(), null, "cpu")) {
            AdapterInference.Generation a = inference.generate("Once upon a time", SamplingOptions.greedy(20));
            AdapterInference.Generation b = inference.generate("Once upon a time", SamplingOptions.greedy(20));
            assertThat(a.completion()).isNotBlank().isEqualTo(b.completion());
            assertThat(a.text()).startsWith("Once upon a time");
            AdapterInference.Generation empty = inference.generate("", SamplingOptions.greedy(20));
            assertThat(empty.prompt()).isEmpty();
            assertThat(empty.completion()).isNotBlank().isEqualTo(empty.text());
            AdapterInference.Generation sampled = inference.generate("", new SamplingOptions(20, 0.8, 0.9, 7, true));
            assertThat(sampled.completion()).isEqualTo(inference.generate("", new SamplingOptions(20, 0.8, 0.9, 7, true))
                    .completion());
        }
    }
}
