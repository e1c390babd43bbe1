package dev.finetune.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoraAdapterTest {

    static final int[] PROMPT = {1, 80, 147, 201, 282, 57};

    @Test
    void startsExactlyAtTheBaseModelBecauseBIsZero() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            float[] base = Fixtures.logits(model, PROMPT);
            try (LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.defaults(), 7)) {
                assertThat(Fixtures.logits(model, PROMPT)).containsExactly(base);
                assertThat(lora.parameters()).hasSize(2 * 2 * 2);
            }
        }
    }

    @Test
    void initialisesAWithKaimingUniformBoundAndBWithZeros() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(8, 16, 0, List.of("q_proj")), 1);
            LoraLinear layer = lora.layers().values().iterator().next();
            float[] a = layer.loraA().toFloatArray();
            double bound = 1 / Math.sqrt(128);
            double sumSquares = 0;
            for (float v : a) {
                assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
                sumSquares += v * v;
            }
            // a uniform distribution on [-b, b] has standard deviation b / sqrt(3)
            assertThat(Math.sqrt(sumSquares / a.length)).isCloseTo(bound / Math.sqrt(3), org.assertj.core.data.Offset.offset(0.1 * bound));
            assertThat(layer.loraB().toFloatArray()).containsOnly(0f);
            assertThat(layer.scaling()).isEqualTo(2.0);
        }
    }

    @Test
    void matchesTargetsLikePeftAndAllLinearExcludesTheHead() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            LoraAdapter all = LoraAdapter.attach(model, LoraConfig.of(4, 8, 0, List.of("all-linear")), 1);
            assertThat(all.layers()).hasSize(2 * 7);
            assertThat(all.layers().keySet()).noneMatch(p -> p.path().equals("lm_head"));
            all.close();
            assertThatThrownBy(() -> LoraAdapter.attach(model, LoraConfig.of(4, 8, 0, List.of("query")), 1))
                    .hasMessageContaining("match no linear layer");
        }
    }

    @Test
    void rankAndAlphaPatternsAndRsloraSetPerModuleScaling() {
        LoraConfig config = LoraConfig.of(8, 16, 0, List.of("q_proj", "v_proj"))
                .withPatterns(Map.of("layers\\.1\\.self_attn\\.q_proj", 4), Map.of("v_proj", 32.0));
        assertThat(config.rankFor("model.layers.1.self_attn.q_proj")).isEqualTo(4);
        assertThat(config.rankFor("model.layers.0.self_attn.q_proj")).isEqualTo(8);
        assertThat(config.scalingFor("model.layers.1.self_attn.q_proj")).isEqualTo(4.0);
        assertThat(config.scalingFor("model.layers.0.self_attn.v_proj")).isEqualTo(4.0);
        assertThat(config.withRslora(true).scalingFor("model.layers.0.self_attn.q_proj")).isEqualTo(16 / Math.sqrt(8));
        assertThatThrownBy(() -> LoraConfig.of(0, 16, 0, List.of("q_proj"))).hasMessageContaining("r must be > 0");
        assertThatThrownBy(() -> LoraConfig.of(8, 16, 1.5, List.of("q_proj"))).hasMessageContaining("lora_dropout");
    }

    @Test
    void theFirstMatchingPatternKeyWinsInTheOrderTheConfigListsThemAsInPeft() {
        // given two keys that both match layer 0's q_proj, in one order and in the other
        Map<String, Integer> broadFirst = new java.util.LinkedHashMap<>();
        broadFirst.put("q_proj", 4);
        broadFirst.put("layers\\.0\\.self_attn\\.q_proj", 16);
        Map<String, Integer> narrowFirst = new java.util.LinkedHashMap<>();
        narrowFirst.put("layers\\.0\\.self_attn\\.q_proj", 16);
        narrowFirst.put("q_proj", 4);

        // when
        LoraConfig a = LoraConfig.of(8, 16, 0, List.of("q_proj")).withPatterns(broadFirst, Map.of());
        LoraConfig b = LoraConfig.of(8, 16, 0, List.of("q_proj")).withPatterns(narrowFirst, Map.of());

        // then PEFT's get_pattern_key takes the first key that matches, so the order decides
        assertThat(a.rankFor("model.layers.0.self_attn.q_proj")).isEqualTo(4);
        assertThat(b.rankFor("model.layers.0.self_attn.q_proj")).isEqualTo(16);
        assertThat(b.rankFor("model.layers.1.self_attn.q_proj")).isEqualTo(4);
    }

    @Test
    void mergeEqualsUnmergedAndUnmergeRestoresForDenseAndNf4Bases() {
        for (ModelOptions options : List.of(ModelOptions.dense(), ModelOptions.of(Nf4Storage.DEFAULT))) {
            try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, options)) {
                float[] base = Fixtures.logits(model, PROMPT);
                LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(8, 16, 0, List.of("all-linear")), 3);
                lora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(), 0.05f));
                float[] unmerged = Fixtures.logits(model, PROMPT);
                assertThat(Fixtures.maxAbsDiff(unmerged, base)).as("the adapter changes the output").isGreaterThan(1e-2f);
                lora.merge();
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), unmerged)).as(options.weights().name() + " merged")
                        .isLessThan(1e-4f);
                lora.unmerge();
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), unmerged)).isLessThan(1e-6f);
                lora.close();
                assertThat(Fixtures.logits(model, PROMPT)).containsExactly(base);
            }
        }
    }
}
