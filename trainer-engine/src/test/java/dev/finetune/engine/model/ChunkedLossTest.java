package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.runtime.Scalars;
import dev.finetune.engine.testing.Fixtures;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chunked loss (head only on positions that predict a label, a chunk of rows at a time, each chunk
 * backpropagated at once) against the whole-logits {@link CausalLmLoss#compute}: same loss within 1e-5 relative,
 * same gradient into the hidden states within 1e-5 of its scale, on tinystories with two rows, labels masked
 * in the middle and at the ends (scattered rows, so both the slice and the gather path run).
 */
class ChunkedLossTest {

    static NDManager manager;
    static LlamaModel model;

    @BeforeAll
    static void load() {
        manager = EngineRuntime.newManager("cpu");
        model = Fixtures.tinystories(manager, ModelOptions.dense());
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    record Outcome(float loss, int tokens, float[] gradient) {}

    static int[] labels(LlamaModel model, int batch, int len, boolean masked) {
        SplittableRandom r = new SplittableRandom(5);
        int[] labels = new int[batch * len];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(model.config().vocabSize());
            int t = i % len;
            if (masked && ((i / len == 0 && t < 7) || (i / len == 1 && (t > 20 || t % 5 == 0)))) {
                labels[i] = CausalLmLoss.IGNORE_INDEX;
            }
        }
        return labels;
    }

    static NDArray hidden(LlamaModel model, NDManager m, int batch, int len) {
        SplittableRandom r = new SplittableRandom(9);
        int hidden = model.config().hiddenSize();
        float[] h = new float[batch * len * hidden];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) r.nextGaussian();
        }
        return m.create(h, new Shape(batch, len, hidden));
    }

    static Outcome whole(LlamaModel model, int[] labels, int batch, int len) {
        try (NDManager m = model.manager().newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = hidden(model, m, batch, len);
            h.setRequiresGradient(true);
            CausalLmLoss.Result r = CausalLmLoss.compute(model.head(h), labels);
            gc.backward(r.loss().div(Scalars.of(r.loss().getManager(), 3.0)));
            return new Outcome(r.loss().getFloat(), r.tokens(), h.getGradient().toFloatArray());
        }
    }

    static Outcome chunked(LlamaModel model, int[] labels, int batch, int len, int chunkRows) {
        try (NDManager m = model.manager().newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = hidden(model, m, batch, len);
            h.setRequiresGradient(true);
            CausalLmLoss.Result r = CausalLmLoss.chunked(model, h, labels, gc, 3.0, chunkRows);
            return new Outcome(r.loss().getFloat(), r.tokens(), h.getGradient().toFloatArray());
        }
    }

    static void assertSame(Outcome expected, Outcome actual) {
        assertThat(actual.tokens()).isEqualTo(expected.tokens());
        assertThat((double) actual.loss()).isCloseTo(expected.loss(),
                org.assertj.core.data.Offset.offset(1e-5 * Math.abs(expected.loss())));
        float scale = 0;
        for (float v : expected.gradient()) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).isGreaterThan(0f);
        assertThat(Fixtures.maxAbsDiff(expected.gradient(), actual.gradient())).isLessThanOrEqualTo(1e-5f * scale);
    }

    @Test
    void everyTokenTrainedInChunksOfSevenRowsGivesTheWholeLogitsLossAndGradient() {
        int[] labels = labels(model, 2, 40, false);
        Outcome expected = whole(model, labels, 2, 40);
        assertThat(expected.tokens()).isEqualTo(2 * 39);
        assertSame(expected, chunked(model, labels, 2, 40, 7));
        assertSame(expected, chunked(model, labels, 2, 40, 1000));
    }

    @Test
    void maskedLabelsSkipTheirPositionsAndGiveTheWholeLogitsLossAndAZeroGradientThere() {
        int[] labels = labels(model, 2, 40, true);
        Outcome expected = whole(model, labels, 2, 40);
        Outcome actual = chunked(model, labels, 2, 40, 5);
        assertSame(expected, actual);
        int hidden = model.config().hiddenSize();
        // position 3 of row 0 predicts label 4, which is masked: no gradient reaches it
        for (int i = 0; i < hidden; i++) {
            assertThat(actual.gradient()[3 * hidden + i]).isZero();
        }
    }

    @Test
    void noLabelledTokenGivesALossOfZeroOverZeroTokens() {
        int[] labels = new int[2 * 10];
        java.util.Arrays.fill(labels, CausalLmLoss.IGNORE_INDEX);
        CausalLmLoss.Result r = EngineRuntime.noGrad(() -> CausalLmLoss.chunked(model, hidden(model, manager, 2, 10), labels, null, 1));
        assertThat(r.tokens()).isZero();
        assertThat(r.loss().getFloat()).isZero();
    }
}
