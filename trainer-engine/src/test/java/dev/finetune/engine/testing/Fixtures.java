package dev.finetune.engine.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Real sample models and small token sequences for engine tests. */
public final class Fixtures {

    private Fixtures() {}

    public static LlamaModel load(Path dir, NDManager manager, ModelOptions options) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            return ModelLoader.load(ckpt, manager, options);
        }
    }

    public static LlamaModel tinystories(NDManager manager, ModelOptions options) {
        return load(Samples.tinystories(), manager, options);
    }

    /** Last-position logits for a prompt, autograd off. */
    public static float[] logits(LlamaModel model, int[] ids) {
        return EngineRuntime.noGrad(() -> model.forward(ids).get(0).toFloatArray());
    }

    /** Sequences of token ids drawn from a real prompt's ids, every token trained, for loop mechanics tests. */
    public static List<PackedSequence> sequences(int count, int length, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PackedSequence> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int len = length - random.nextInt(3);
            int[] ids = new int[len];
            int[] pos = new int[len];
            int[] seg = new int[len];
            ids[0] = 1;
            for (int i = 1; i < len; i++) {
                ids[i] = 3 + random.nextInt(vocab - 3);
                pos[i] = i;
            }
            out.add(new PackedSequence(ids, ids.clone(), pos, seg));
        }
        return out;
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** Copies of every parameter's values, in order. */
    public static List<float[]> snapshot(List<NamedParameter> params) {
        List<float[]> out = new ArrayList<>();
        for (NamedParameter p : params) {
            out.add(p.value().toFloatArray());
        }
        return out;
    }

    public static void randomize(NDArray array, long seed, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[(int) array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        EngineRuntime.noGrad(() -> {
            array.set(v);
            return null;
        });
    }
}
