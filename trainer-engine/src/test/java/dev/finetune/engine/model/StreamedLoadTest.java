package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.engine.checkpoint.HalfCheckpoints;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.checkpoint.TensorDType;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamed load ({@link ModelLoader#load}) gives the same float32 weights, bit for bit, as the
 * previous host-widening path ({@link ModelLoader#loadWidenedOnHost}), for the real F32 samples
 * and for them re-encoded as sharded BF16 and as F16, dense and NF4; and it loads a sharded BF16
 * checkpoint in a JVM whose direct memory is smaller than the model, where the old path cannot.
 */
class StreamedLoadTest {

    @TempDir
    Path tmp;

    @Test
    void realF32SamplesLoadBitIdenticallyToTheHostPath() {
        assertSameWeights(Samples.tinystories(), ModelOptions.dense());
        assertSameWeights(Samples.stories260k(), ModelOptions.dense());
    }

    @Test
    void bf16ShardsAndF16LoadBitIdenticallyDenseAndNf4() throws Exception {
        Path bf16 = reencode(Samples.tinystories(), TensorDType.BF16, 3, "bf16");
        Path f16 = reencode(Samples.tinystories(), TensorDType.F16, 1, "f16");
        assertThat(Files.exists(bf16.resolve(HfCheckpoint.INDEX))).isTrue();
        for (Path dir : List.of(bf16, f16)) {
            assertSameWeights(dir, ModelOptions.dense());
            assertSameWeights(dir, ModelOptions.of(Nf4Storage.DEFAULT));
        }
        // the widened BF16 weights are the F32 sample's rounded to bf16, and the model still runs
        try (NDManager manager = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(bf16)) {
            LlamaModel model = ModelLoader.load(ckpt, manager, ModelOptions.dense());
            float[] logits = EngineRuntime.noGrad(() -> model.forward(new int[] {1, 2, 3}).get(0).toFloatArray());
            for (float v : logits) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            model.close();
        }
    }

    @Test
    void bothStreamingPathsGiveTheHostValuesForEveryTensor() throws Exception {
        Path bf16 = reencode(Samples.stories260k(), TensorDType.BF16, 2, "bf16-260k");
        try (NDManager manager = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(bf16)) {
            TensorStreamer view = new TensorStreamer(ckpt, true);
            TensorStreamer chunks = new TensorStreamer(ckpt, false);
            for (String name : ckpt.tensorNames()) {
                float[] host = ckpt.tensor(name).data();
                try (NDArray a = view.upload(name, manager); NDArray b = chunks.upload(name, manager)) {
                    assertThat(a.getShape().getShape()).isEqualTo(ckpt.info(name).shape());
                    assertThat(Arrays.equals(a.toFloatArray(), host)).as(name).isTrue();
                    assertThat(Arrays.equals(b.toFloatArray(), host)).as(name).isTrue();
                }
            }
        }
    }

    @Test
    void shardedBf16LoadsUnderADirectMemoryLimitSmallerThanTheModel() throws Exception {
        // 19.3M parameters: 77 MB as float32, 39 MB as bf16 on disk in 4 shards
        LlamaConfig config = LlamaConfig.of(256, 4, 4, 2, 688, 32000);
        Path dir = tmp.resolve("moderate");
        HalfCheckpoints.write(dir, config.toJson(), HalfCheckpoints.llamaShapes(config), TensorDType.BF16, 4,
                HalfCheckpoints.random(3));
        String limits = "-XX:MaxDirectMemorySize=32m";
        Child dense = child(dir, "dense", "streamed", limits);
        assertThat(dense.exit).as(dense.output).isZero();
        assertThat(dense.output).contains("loaded dense");
        Child nf4 = child(dir, "nf4", "streamed", limits);
        assertThat(nf4.exit).as(nf4.output).isZero();
        assertThat(nf4.output).contains("loaded nf4");
        // the previous path keeps a direct buffer of every dense tensor's full float32 size
        Child old = child(dir, "dense", "host", limits);
        assertThat(old.exit).as(old.output).isNotZero();
        assertThat(old.output).containsIgnoringCase("direct buffer memory");
    }

    private record Child(int exit, String output) {}

    private static Child child(Path dir, String mode, String path, String limits) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", limits, "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-cp", classpath,
                LoadProbe.class.getName(), dir.toString(), mode, path));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                out.append(l).append('\n');
            }
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Child(p.exitValue(), out.toString());
    }

    private Path reencode(Path sample, TensorDType dtype, int shards, String name) throws Exception {
        Path dir = tmp.resolve(name);
        try (HfCheckpoint src = HfCheckpoint.open(sample)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String t : src.tensorNames()) {
                shapes.put(t, src.info(t).shape());
            }
            HalfCheckpoints.write(dir, Files.readString(sample.resolve(HfCheckpoint.CONFIG)), shapes, dtype, shards,
                    HalfCheckpoints.of(src));
        }
        return dir;
    }

    private static void assertSameWeights(Path dir, ModelOptions options) {
        try (NDManager manager = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            LlamaModel streamed = ModelLoader.load(ckpt, manager, options);
            LlamaModel host = ModelLoader.loadWidenedOnHost(ckpt, manager, options);
            Map<String, float[]> a = weights(streamed);
            Map<String, float[]> b = weights(host);
            assertThat(a.keySet()).isEqualTo(b.keySet());
            for (String k : a.keySet()) {
                assertThat(Arrays.equals(a.get(k), b.get(k))).as("%s %s %s", dir.getFileName(), options.weights(), k).isTrue();
            }
            assertThat(streamed.frozenWeightBytes()).isEqualTo(host.frozenWeightBytes());
            streamed.close();
            host.close();
        }
    }

    /** Every frozen tensor of the model as float32 (NF4 projections dequantized). */
    static Map<String, float[]> weights(LlamaModel model) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("embed", model.embeddingWeight().toFloatArray());
        m.put("norm", model.finalNorm().weight().toFloatArray());
        m.put("lm_head", model.lmHead().linear().denseWeight().toFloatArray());
        for (DecoderLayer layer : model.layers()) {
            m.put(layer.index() + ".in_norm", layer.inputNorm().weight().toFloatArray());
            m.put(layer.index() + ".post_norm", layer.postAttentionNorm().weight().toFloatArray());
            for (Projection p : layer.projections()) {
                NDArray w = EngineRuntime.noGrad(() -> p.linear().denseWeight());
                m.put(p.path(), w.toFloatArray());
                if (p.linear().bias() != null) {
                    m.put(p.path() + ".bias", p.linear().bias().toFloatArray());
                }
            }
        }
        return m;
    }
}
