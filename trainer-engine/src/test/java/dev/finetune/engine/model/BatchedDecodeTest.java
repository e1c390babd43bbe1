package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decode step of a continuous batch (rows of different lengths in one padded, masked attention) against each
 * row decoded alone and against a full forward over the row's whole sequence, on tinystories-656k.
 */
class BatchedDecodeTest {

    static NDManager manager;
    static LlamaModel model;

    @BeforeAll
    static void load() {
        manager = EngineRuntime.newManager("cpu");
        try (HfCheckpoint ckpt = HfCheckpoint.open(Samples.tinystories())) {
            model = ModelLoader.load(ckpt, manager, ModelOptions.dense());
        }
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    @Test
    void decodeRotationIsBitForBitTheRotateHalfForm() {
        int headDim = model.config().headDim();
        try (NDManager m = manager.newSubManager();
             RotaryEmbedding rope = new RotaryEmbedding(m, headDim, 64, 10000.0)) {
            SplittableRandom random = new SplittableRandom(3);
            float[] values = new float[2 * 4 * 1 * headDim];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian() * 3;
            }
            NDArray x = m.create(values, new Shape(2, 4, 1, headDim));
            var tables = rope.tablesFor(m.create(new long[] {7, 41}, new Shape(2, 1)));
            float[] plain = rope.apply(x, tables.get(0), tables.get(1)).toFloatArray();
            float[] decode = rope.applyDecode(x, tables.get(0), tables.get(1)).toFloatArray();
            assertThat(decode).containsExactly(plain);
        }
    }

    @Test
    void rowsOfDifferentLengthsInOneStepEqualEachRowAloneAndAFullForward() {
        int[][] prompts = {{1, 80, 147, 201, 33, 12, 90}, {1, 282}, {1, 57, 90, 400}};
        int[] next = {5, 9, 17};
        Generator generator = new Generator(model, 2);
        float[][] batched = EngineRuntime.noGrad(() -> {
            List<KvCache> caches = new ArrayList<>();
            long[] positions = new long[prompts.length];
            for (int b = 0; b < prompts.length; b++) {
                KvCache cache = new KvCache(model.layers().size(), 32);
                generator.lastLogits(prompts[b], cache);
                caches.add(cache);
                positions[b] = prompts[b].length;
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray input = step.create(LlamaModel.toLong(next), new Shape(next.length, 1));
                float[] flat = model.forwardLast(input, model.decodeContext(step, positions, caches)).toFloatArray();
                for (int b = 0; b < prompts.length; b++) {
                    assertThat(caches.get(b).length()).isEqualTo(prompts[b].length + 1);
                }
                caches.forEach(KvCache::close);
                int vocab = flat.length / next.length;
                float[][] rows = new float[next.length][];
                for (int b = 0; b < next.length; b++) {
                    rows[b] = Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
                }
                return rows;
            }
        });
        for (int b = 0; b < prompts.length; b++) {
            int row = b;
            float[] alone = EngineRuntime.noGrad(() -> {
                try (KvCache cache = new KvCache(model.layers().size())) {
                    generator.lastLogits(prompts[row], cache);
                    return generator.lastLogits(new int[] {next[row]}, cache);
                }
            });
            int[] whole = Arrays.copyOf(prompts[row], prompts[row].length + 1);
            whole[prompts[row].length] = next[row];
            float[] full = EngineRuntime.noGrad(() -> model.forward(whole).get(0, whole.length - 1).toFloatArray());
            assertThat(maxDiff(batched[row], alone)).as("row %d batched vs alone", row).isLessThanOrEqualTo(1e-5);
            assertThat(maxDiff(alone, full)).as("row %d decode vs full forward", row).isLessThanOrEqualTo(1e-4);
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
