package dev.finetune.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The engine's dropout: Bernoulli keep rate, the inverted scale, the gradient, and the per-thread seeded stream
 * that block recomputation and exact resume rely on.
 */
class DropoutTest {

    private static final int ROWS = 512;
    private static final int COLS = 2048;

    private static float[] draw(NDManager m, long seed, float p) {
        Dropout.seed(seed);
        try (NDArray ones = m.ones(new Shape(ROWS, COLS)); NDArray out = Dropout.apply(ones, p)) {
            return out.toFloatArray();
        }
    }

    @Test
    void keepsEachElementWithProbabilityOneMinusPAndScalesTheKeptOnes() {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            for (float p : new float[] {0.05f, 0.5f, 0.9f}) {
                float[] out = draw(m, 42, p);
                float scale = (float) (1.0 / (1.0 - p));
                long kept = 0;
                long bothDropped = 0;
                for (int i = 0; i < out.length; i++) {
                    assertThat(out[i]).as("element %d at p=%s", i, p).isIn(0f, scale);
                    if (out[i] != 0f) {
                        kept++;
                    }
                    if (i % 2 == 0 && out[i] == 0f && out[i + 1] == 0f) {
                        bothDropped++;
                    }
                }
                double n = out.length;
                double sigma = Math.sqrt(n * p * (1 - p));
                assertThat((double) kept).as("kept at p=%s", p).isBetween(n * (1 - p) - 5 * sigma, n * (1 - p) + 5 * sigma);
                // neighbouring elements hash neighbouring counters: their draws must be independent
                double pairs = n / 2;
                double pairSigma = Math.sqrt(pairs * p * p * (1 - p * p));
                assertThat((double) bothDropped).as("neighbours both dropped at p=%s", p)
                        .isBetween(pairs * p * p - 5 * pairSigma, pairs * p * p + 5 * pairSigma);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameMasksInTheSameOrderAndAnotherSeedOthers() {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            Dropout.seed(7);
            float[] first;
            float[] second;
            try (NDArray ones = m.ones(new Shape(ROWS, COLS))) {
                first = Dropout.apply(ones, 0.1f).toFloatArray();
                second = Dropout.apply(ones, 0.1f).toFloatArray();
            }
            assertThat(second).as("the stream's second mask").isNotEqualTo(first);
            Dropout.seed(7);
            try (NDArray ones = m.ones(new Shape(ROWS, COLS))) {
                assertThat(Dropout.apply(ones, 0.1f).toFloatArray()).isEqualTo(first);
                assertThat(Dropout.apply(ones, 0.1f).toFloatArray()).isEqualTo(second);
            }
            assertThat(draw(m, 8, 0.1f)).isNotEqualTo(first);
        }
    }

    @Test
    void masksDrawnOnAnotherThreadDoNotMoveThisThreadsStream() throws Exception {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            float[] alone;
            float[] interleaved;
            try (NDArray ones = m.ones(new Shape(ROWS, COLS))) {
                Dropout.seed(11);
                Dropout.apply(ones, 0.2f).close();
                alone = Dropout.apply(ones, 0.2f).toFloatArray();

                Dropout.seed(11);
                Dropout.apply(ones, 0.2f).close();
                CompletableFuture.runAsync(() -> {
                    Dropout.seed(11);
                    Dropout.apply(ones, 0.2f).close();
                    Dropout.apply(ones, 0.2f).close();
                }).get();
                interleaved = Dropout.apply(ones, 0.2f).toFloatArray();
            }
            assertThat(interleaved).isEqualTo(alone);
        }
    }

    @Test
    void theGradientIsTheMaskTimesTheScale() {
        try (NDManager m = EngineRuntime.newManager("cpu");
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = m.randomNormal(new Shape(64, 300));
            x.setRequiresGradient(true);
            Dropout.seed(3);
            NDArray y = Dropout.apply(x, 0.25f);
            gc.backward(y.sum());
            float[] out = y.toFloatArray();
            float[] in = x.toFloatArray();
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < out.length; i++) {
                float expected = grad[i] == 0f ? 0f : in[i] * grad[i];
                assertThat(grad[i]).isIn(0f, 1f / 0.75f);
                assertThat(out[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void zeroIsTheIdentityAndOneOrNaNIsRefused() {
        try (NDManager m = EngineRuntime.newManager("cpu"); NDArray x = m.ones(new Shape(4))) {
            assertThat(Dropout.apply(x, 0f)).isSameAs(x);
            assertThatThrownBy(() -> Dropout.apply(x, 1f)).hasMessageContaining("below 1");
            assertThatThrownBy(() -> Dropout.apply(x, Float.NaN)).hasMessageContaining("below 1");
        }
    }

    /** Each 32768-element chunk has its own seed: every chunk keeps its share, and two masks of a stream are unrelated. */
    @Test
    void everyChunkKeepsItsShareAndSuccessiveMasksAreIndependent() {
        float p = 0.1f;
        try (NDManager m = EngineRuntime.newManager("cpu"); NDArray ones = m.ones(new Shape(ROWS, COLS))) {
            Dropout.seed(99);
            float[] first = Dropout.apply(ones, p).toFloatArray();
            float[] second = Dropout.apply(ones, p).toFloatArray();
            int chunk = 1 << 15;
            double sigma = Math.sqrt(chunk * p * (1 - p));
            for (int from = 0; from < first.length; from += chunk) {
                int dropped = 0;
                for (int i = from; i < from + chunk; i++) {
                    dropped += first[i] == 0f ? 1 : 0;
                }
                assertThat((double) dropped).as("chunk at %d", from).isBetween(chunk * p - 5 * sigma, chunk * p + 5 * sigma);
            }
            long both = 0;
            for (int i = 0; i < first.length; i++) {
                both += first[i] == 0f && second[i] == 0f ? 1 : 0;
            }
            double n = first.length;
            double bothSigma = Math.sqrt(n * p * p * (1 - p * p));
            assertThat((double) both).isBetween(n * p * p - 5 * bothSigma, n * p * p + 5 * bothSigma);
        }
    }
}
