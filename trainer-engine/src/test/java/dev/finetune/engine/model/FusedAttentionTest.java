package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.runtime.Scalars;
import dev.finetune.engine.testing.Fixtures;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The attention core of a whole sequence, {@link FusedAttention} (libtorch's fused kernel through TorchScript),
 * against the textbook form written here (keys and values repeated per query head,
 * {@code softmax(q k^T / sqrt(d) + mask) v}): same output and same gradients into q, k and v within 1e-5 of their
 * scale, with a packed two-segment mask and padding, for 1, 2 and 4 query heads per KV head.
 */
class FusedAttentionTest {

    private static NDArray random(NDManager m, Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, shape);
    }

    private static NDArray textbook(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long heads = q.getShape().get(1);
        long kv = k.getShape().get(1);
        long d = q.getShape().get(3);
        NDArray kr = repeat(k, heads / kv);
        NDArray vr = repeat(v, heads / kv);
        NDArray w = q.matMul(kr.transpose(0, 1, 3, 2)).div(Scalars.of(q.getManager(), Math.sqrt(d))).add(mask).softmax(-1);
        return w.matMul(vr).transpose(0, 2, 1, 3);
    }

    private static NDArray repeat(NDArray x, long rep) {
        Shape s = x.getShape();
        return x.expandDims(2).broadcast(new Shape(s.get(0), s.get(1), rep, s.get(2), s.get(3)))
                .reshape(s.get(0), s.get(1) * rep, s.get(2), s.get(3));
    }

    private static NDArray notPadding(NDManager m, int[] segments, int batch, int len) {
        float[] keep = new float[segments.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = segments[i] < 0 ? 0f : 1f;
        }
        return m.create(keep, new Shape(batch, len, 1, 1));
    }

    private static float[][] run(boolean fused, int heads, int kvHeads) {
        int batch = 2;
        int len = 9;
        int d = 16;
        try (NDManager m = EngineRuntime.newManager("cpu"); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            int[] segments = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, -1, -1};
            NDArray q = random(m, new Shape(batch, heads, len, d), 1);
            NDArray k = random(m, new Shape(batch, kvHeads, len, d), 2);
            NDArray v = random(m, new Shape(batch, kvHeads, len, d), 3);
            // padding positions (segment -1) get no upstream gradient, as in training: no label, no other position
            // attends to them (the fused kernel's backward is only right for rows that see at least one key)
            NDArray upstream = random(m, new Shape(batch, len, heads, d), 4).mul(notPadding(m, segments, batch, len));
            NDList params = new NDList(q, k, v);
            params.forEach(p -> p.setRequiresGradient(true));
            NDArray mask = AttentionMask.build(m, batch, len, segments, 0, null);
            NDArray out = fused ? FusedAttention.attend(q, k, v, mask) : textbook(q, k, v, mask);
            gc.backward(out.mul(upstream).sum());
            return new float[][] {out.toFloatArray(), q.getGradient().toFloatArray(), k.getGradient().toFloatArray(),
                v.getGradient().toFloatArray()};
        }
    }

    @Test
    void fusedAttentionEqualsTheTextbookFormAndItsGradients() {
        for (int[] heads : new int[][] {{4, 2}, {8, 2}, {4, 4}}) {
            float[][] expected = run(false, heads[0], heads[1]);
            float[][] actual = run(true, heads[0], heads[1]);
            for (int i = 0; i < expected.length; i++) {
                float scale = 0;
                for (float x : expected[i]) {
                    scale = Math.max(scale, Math.abs(x));
                }
                assertThat(scale).isGreaterThan(0f);
                assertThat(Fixtures.maxAbsDiff(expected[i], actual[i]))
                        .as("heads %d/%d, tensor %d", heads[0], heads[1], i).isLessThanOrEqualTo(1e-5f * scale);
            }
        }
    }
}
