package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.runtime.EngineRuntime;
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

    private static int[] labels(int batch, int len, boolean masked) {
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

    private static NDArray hidden(NDManager m, int batch, int len) {
        SplittableRandom r = new SplittableRandom(9);
        int hidden = model.config().hiddenSize();
        float[] h = new float[batch * len * hidden];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) r.nextGaussian();
        }
        return m.create(h, new Shape(batch, len, hidden));
    }

    private static Outcome whole(int[] labels, int batch, int len) {
        try (NDManager m = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = hidden(m, batch, len);
            h.setRequiresGradient(true);
            CausalLmLoss.Result r = CausalLmLoss.compute(model.head(h), labels);
            gc.backward(r.loss().div(3.0));
            return new Outcome(r.loss().getFloat(), r.tokens(), h.getGradient().toFloatArray());
        }
    }

    private static Outcome chunked(int[] labels, int batch, int len, int chunkRows) {
        try (NDManager m = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = hidden(m, batch, len);
            h.setRequiresGradient(true);
            CausalLmLoss.Result r = CausalLmLoss.chunked(model, h, labels,
                    (nll, tokens) -> gc.backward(nll.div(tokens * 3.0)), chunkRows);
            return new Outcome(r.loss().getFloat(), r.tokens(), h.getGradient().toFloatArray());
        }
    }

    private static void assertSame(Outcome expected, Outcome actual) {
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
        int[] labels = labels(2, 40, false);
        Outcome expected = whole(labels, 2, 40);
        assertThat(expected.tokens()).isEqualTo(2 * 39);
        assertSame(expected, chunked(labels, 2, 40, 7));
        assertSame(expected, chunked(labels, 2, 40, 1000));
    }

    @Test
    void maskedLabelsSkipTheirPositionsAndGiveTheWholeLogitsLossAndAZeroGradientThere() {
        int[] labels = labels(2, 40, true);
        Outcome expected = whole(labels, 2, 40);
        Outcome actual = chunked(labels, 2, 40, 5);
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
        CausalLmLoss.Result r = EngineRuntime.noGrad(() -> CausalLmLoss.chunked(model, hidden(manager, 2, 10), labels, null));
        assertThat(r.tokens()).isZero();
        assertThat(r.loss().getFloat()).isZero();
    }
}
