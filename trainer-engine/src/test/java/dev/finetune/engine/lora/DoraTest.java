package dev.finetune.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.model.Projection;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DoRA's math in the engine, checked against the formula written out here in double precision. */
class DoraTest {

    static final int[] PROMPT = {1, 80, 147, 201, 282, 57};
    static final LoraConfig DORA = LoraConfig.of(4, 8, 0, List.of("q_proj", "v_proj", "down_proj")).withDora(true);

    @Test
    void startsAtTheBaseModelWithTheMagnitudeAtTheRowNormsOfTheBaseWeight() {
        for (ModelOptions options : List.of(ModelOptions.dense(), ModelOptions.of(Nf4Storage.DEFAULT))) {
            try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, options)) {
                // given
                float[] base = Fixtures.logits(model, PROMPT);

                // when
                LoraAdapter dora = LoraAdapter.attach(model, DORA, 7);

                // then
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), base)).as(options.weights().name())
                        .isLessThan(1e-6f);
                assertThat(dora.parameters()).hasSize(2 * 3 * 3);
                assertThat(dora.parameters()).map(NamedParameter::name)
                        .contains("base_model.model.model.layers.1.mlp.down_proj.lora_magnitude_vector");
                for (Map.Entry<Projection, LoraLinear> e : dora.layers().entrySet()) {
                    float[] w = EngineRuntime.noGrad(() -> e.getValue().base().denseWeight().toFloatArray());
                    double[] norms = rowNorms(w, e.getValue().outFeatures());
                    float[] magnitude = magnitude(e.getValue()).toFloatArray();
                    assertThat(magnitude).hasSize(e.getValue().outFeatures());
                    for (int i = 0; i < norms.length; i++) {
                        assertThat((double) magnitude[i]).as("%s row %d", e.getKey().path(), i)
                                .isCloseTo(norms[i], org.assertj.core.data.Percentage.withPercentage(1e-4));
                    }
                }
                dora.close();
            }
        }
    }

    @Test
    void mergesToTheRescaledWeightAndUnmergesToTheUntouchedBase() {
        for (ModelOptions options : List.of(ModelOptions.dense(), ModelOptions.of(Nf4Storage.DEFAULT))) {
            try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, options)) {
                // given
                LoraAdapter dora = LoraAdapter.attach(model, DORA, 3);
                dora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(),
                        p.name().endsWith("magnitude_vector") ? 1f : 0.1f));
                LoraLinear layer = dora.layers().values().iterator().next();
                float[] w = EngineRuntime.noGrad(() -> layer.base().denseWeight().toFloatArray());
                float[] unmerged = Fixtures.logits(model, PROMPT);

                // when
                dora.merge();
                float[] merged = Fixtures.logits(model, PROMPT);
                float[] mergedWeight = EngineRuntime.noGrad(() -> layer.denseWeight().toFloatArray());
                dora.unmerge();

                // then: W' = m * (W + s B A) / ||W + s B A|| per output row, within float32 rounding
                double[] expected = doraWeight(w, layer.loraA().toFloatArray(), layer.loraB().toFloatArray(),
                        magnitude(layer).toFloatArray(), layer.scaling(), layer.outFeatures(), layer.inFeatures(), layer.rank());
                double worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(mergedWeight[i] - expected[i]));
                }
                assertThat(worst).as(options.weights().name() + " merged weight").isLessThan(1e-5);
                assertThat(Fixtures.maxAbsDiff(merged, unmerged)).as(options.weights().name() + " merged logits").isLessThan(1e-4f);
                assertThat(Fixtures.maxAbsDiff(unmerged, plainLoraLogits(options)))
                        .as("DoRA is not plain LoRA with the same A and B").isGreaterThan(1e-2f);
                assertThat(EngineRuntime.noGrad(() -> layer.denseWeight().toFloatArray())).containsExactly(w);
                assertThat(Fixtures.logits(model, PROMPT)).containsExactly(unmerged);
                dora.close();
            }
        }
    }

    /** The logits of plain LoRA with the factors {@link #mergesToTheRescaledWeightAndUnmergesToTheUntouchedBase} uses. */
    private static float[] plainLoraLogits(ModelOptions options) {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, options);
             LoraAdapter lora = LoraAdapter.attach(model, DORA.withDora(false), 3)) {
            lora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(), 0.1f));
            return Fixtures.logits(model, PROMPT);
        }
    }

    static NDArray magnitude(LoraLinear layer) {
        return layer.variant().parameters().get(Dora.MAGNITUDE);
    }

    static double[] rowNorms(float[] w, int out) {
        int in = w.length / out;
        double[] norms = new double[out];
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int i = 0; i < in; i++) {
                sum += (double) w[o * in + i] * w[o * in + i];
            }
            norms[o] = Math.sqrt(sum);
        }
        return norms;
    }

    /** {@code m * (W + s B A) / ||W + s B A||_row} in double precision, row-major {@code [out, in]}. */
    static double[] doraWeight(float[] w, float[] a, float[] b, float[] m, double s, int out, int in, int r) {
        double[] v = new double[out * in];
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int i = 0; i < in; i++) {
                double delta = 0;
                for (int k = 0; k < r; k++) {
                    delta += (double) b[o * r + k] * a[k * in + i];
                }
                v[o * in + i] = w[o * in + i] + s * delta;
                sum += v[o * in + i] * v[o * in + i];
            }
            double scale = m[o] / Math.sqrt(sum);
            for (int i = 0; i < in; i++) {
                v[o * in + i] *= scale;
            }
        }
        return v;
    }
}
