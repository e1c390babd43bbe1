package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forward pass against an independent float64 numpy implementation of Hugging Face's Llama
 * ({@code REFERENCE_numpy.json}, tinystories-656k).
 */
class LlamaModelReferenceTest {

    static NDManager manager;
    static LlamaModel model;
    static JsonNode ref;

    @BeforeAll
    static void load() {
        manager = EngineRuntime.newManager("cpu");
        try (HfCheckpoint ckpt = HfCheckpoint.open(Samples.tinystories())) {
            model = ModelLoader.load(ckpt, manager, ModelOptions.dense());
        }
        ref = Samples.reference();
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void lastPositionLogitsMatchTheNumpyReferenceWithin1e4RelativeL2() {
        int[] prompt = ints(ref.get("prompt_ids"));
        float[] logits = EngineRuntime.noGrad(() -> {
            NDArray out = model.forward(prompt);
            return out.get(0, prompt.length - 1).toFloatArray();
        });
        JsonNode expected = ref.get("last_position_logits_full");
        assertThat(logits).hasSize(expected.size());
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = expected.get(i).asDouble();
            diff += (logits[i] - e) * (logits[i] - e);
            norm += e * e;
        }
        assertThat(Math.sqrt(diff / norm)).isLessThan(1e-4);
    }

    @Test
    void everyPromptPositionMatchesTheReferenceFirstLogitsAndLogsumexp() {
        int[] prompt = ints(ref.get("prompt_ids"));
        float[][] rows = EngineRuntime.noGrad(() -> {
            NDArray out = model.forward(prompt);
            float[][] r = new float[prompt.length][];
            for (int t = 0; t < prompt.length; t++) {
                r[t] = out.get(0, t).toFloatArray();
            }
            return r;
        });
        for (int t = 0; t < prompt.length; t++) {
            JsonNode first5 = ref.get("logits_prompt_positions_first5").get(t);
            for (int i = 0; i < 5; i++) {
                assertThat((double) rows[t][i]).isCloseTo(first5.get(i).asDouble(), org.assertj.core.data.Offset.offset(2e-4));
            }
            double max = Double.NEGATIVE_INFINITY;
            for (float v : rows[t]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : rows[t]) {
                sum += Math.exp(v - max);
            }
            assertThat(max + Math.log(sum)).isCloseTo(ref.get("logsumexp_per_position").get(t).asDouble(),
                    org.assertj.core.data.Offset.offset(2e-4));
        }
    }

    @Test
    void greedyGenerationWithKvCacheFollowsTheReferenceUntilTheFirstNarrowMargin() {
        int[] prompt = ints(ref.get("prompt_ids"));
        int[] expected = ints(ref.get("greedy_ids"));
        JsonNode margins = ref.get("greedy_step_margins");
        int comparable = 0;
        while (comparable < expected.length && margins.get(comparable).asDouble() >= 0.05) {
            comparable++;
        }
        int[] generated = new Generator(model, 2).generate(prompt, new SamplingOptions(expected.length, 0, 1, 0, false));
        assertThat(comparable).as("steps before the first narrow margin").isGreaterThanOrEqualTo(5);
        for (int i = 0; i < comparable; i++) {
            assertThat(generated[i]).as("greedy token %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void teacherForcedAlongTheReferenceGreedyPathEveryClearStepPicksTheReferenceToken() {
        int[] prompt = ints(ref.get("prompt_ids"));
        int[] expected = ints(ref.get("greedy_ids"));
        JsonNode margins = ref.get("greedy_step_margins");
        int[] path = java.util.stream.IntStream.concat(java.util.Arrays.stream(prompt),
                java.util.Arrays.stream(expected, 0, expected.length - 1)).toArray();
        int[] argmax = EngineRuntime.noGrad(() -> {
            NDArray logits = model.forward(path);
            return logits.get(0).argMax(-1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        });
        int clear = 0;
        for (int i = 0; i < expected.length; i++) {
            if (margins.get(i).asDouble() >= 0.05) {
                clear++;
                assertThat(argmax[prompt.length - 1 + i]).as("step %d", i).isEqualTo(expected[i]);
            }
        }
        assertThat(clear).isGreaterThan(50);
    }

    @Test
    void teacherForcedMeanNllMatchesTheReference() {
        int[] ids = ints(ref.get("teacher_forced").get("ids"));
        double nll = EngineRuntime.noGrad(() -> {
            NDArray logits = model.forward(ids);
            return (double) CausalLmLoss.compute(logits, ids).loss().getFloat();
        });
        assertThat(nll).isCloseTo(ref.get("teacher_forced").get("mean_nll_next_token").asDouble(),
                org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void kvCacheGivesTheSameLogitsAsAFullForward() {
        int[] prompt = ints(ref.get("prompt_ids"));
        float[] full = EngineRuntime.noGrad(() -> model.forward(prompt).get(0, prompt.length - 1).toFloatArray());
        Generator generator = new Generator(model, 2);
        float[] cached;
        try (KvCache cache = new KvCache(model.layers().size())) {
            generator.lastLogits(java.util.Arrays.copyOf(prompt, 3), cache);
            cached = EngineRuntime.noGrad(() -> generator.lastLogits(java.util.Arrays.copyOfRange(prompt, 3, prompt.length), cache));
        }
        for (int i = 0; i < full.length; i++) {
            assertThat(cached[i]).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void paddingAndPackingMasksKeepSequencesIndependent() {
        int[] a = {1, 80, 147, 201};
        int[] b = {1, 282, 57};
        float[] alone = EngineRuntime.noGrad(() -> model.forward(b).get(0, b.length - 1).toFloatArray());
        // b packed after a in one row: segment 1, positions restart at 0
        int[] ids = {1, 80, 147, 201, 1, 282, 57, 0};
        int[] segments = {0, 0, 0, 0, 1, 1, 1, -1};
        long[] positions = {0, 1, 2, 3, 0, 1, 2, 0};
        float[] packed = EngineRuntime.noGrad(() -> {
            NDArray input = manager.create(LlamaModel.toLong(ids), new ai.djl.ndarray.types.Shape(1, ids.length));
            NDArray pos = manager.create(positions, new ai.djl.ndarray.types.Shape(1, ids.length));
            NDArray mask = AttentionMask.build(manager, 1, ids.length, segments, 0, null);
            return model.forward(input, model.context(pos, mask, null)).get(0, 6).toFloatArray();
        });
        for (int i = 0; i < alone.length; i++) {
            assertThat(packed[i]).isCloseTo(alone[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }
}
