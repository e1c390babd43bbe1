package dev.finetune.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HalfCheckpoints;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.TensorDType;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QLoRA's 16-bit embedding and head ({@link ModelOptions#halfEmbeddings()}): on tinystories re-encoded as
 * bfloat16, an NF4 model holding them in float16 (every value of this sample converts exactly) gives the same logits as one widening them to float32 (the
 * values are the checkpoint's either way) with half their bytes; and the head's hand-written backward in the
 * chunked loss gives autograd's loss and hidden-state gradient through the same head.
 */
class HalfEmbeddingsTest {

    @TempDir
    Path tmp;

    private Path bf16Tinystories() throws Exception {
        Path dir = tmp.resolve("tinystories-bf16");
        try (HfCheckpoint src = HfCheckpoint.open(Samples.tinystories())) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String t : src.tensorNames()) {
                shapes.put(t, src.info(t).shape());
            }
            HalfCheckpoints.write(dir, Files.readString(Samples.tinystories().resolve(HfCheckpoint.CONFIG)), shapes,
                    TensorDType.BF16, 1, HalfCheckpoints.of(src));
        }
        return dir;
    }

    @Test
    void bf16EmbeddingAndHeadGiveTheWideModelsLogitsWithHalfTheirBytes() throws Exception {
        Path dir = bf16Tinystories();
        int[] ids = {1, 57, 312, 9, 1020, 44, 7, 300};
        ModelOptions nf4 = ModelOptions.of(Nf4Storage.DEFAULT);
        try (NDManager m = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(dir);
             LlamaModel wide = ModelLoader.load(ckpt, m, nf4);
             LlamaModel half = ModelLoader.load(ckpt, m, nf4.withHalfEmbeddings(true))) {
            assertThat(half.embeddingWeight().getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(half.lmHead().linear()).isInstanceOf(HalfStoredLinear.class);
            assertThat(wide.embeddingWeight().getDataType()).isEqualTo(DataType.FLOAT32);
            long embeddingBytes = wide.embeddingWeight().size() * 4;
            assertThat(wide.frozenWeightBytes() - half.frozenWeightBytes()).isEqualTo(embeddingBytes / 2);
            float[] expected = EngineRuntime.noGrad(() -> wide.forward(ids).toFloatArray());
            float[] actual = EngineRuntime.noGrad(() -> half.forward(ids).toFloatArray());
            assertThat(actual).containsExactly(expected);
        }
    }

    @Test
    void theWidenedSlicesOfAHalfHeadAreFreedAsSoonAsTheyAreUsed() {
        try (NDManager weights = EngineRuntime.newManager("cpu"); NDManager inputs = EngineRuntime.newManager("cpu")) {
            // a [1000, 64] float16 head in slices of 100 rows: ten widened slices per pass
            NDArray w = weights.randomNormal(0, 0.02f, new Shape(1000, 64), DataType.FLOAT32).toType(DataType.FLOAT16, false);
            HalfStoredLinear head = new HalfStoredLinear(w, 100);
            int held = weights.getManagedArrays().size();
            NDArray x = inputs.randomNormal(new Shape(3, 64));

            NDArray logits = head.forward(x);
            NDArray grad = head.inputGradient(inputs.randomNormal(new Shape(3, 1000)));

            // then neither pass leaves a float32 slice (or the float16 view it came from) on the weight's manager
            assertThat(logits.getShape()).isEqualTo(new Shape(3, 1000));
            assertThat(grad.getShape()).isEqualTo(new Shape(3, 64));
            assertThat(weights.getManagedArrays()).hasSize(held);
            // and the values are the float32 product's
            try (NDArray wide = w.toType(DataType.FLOAT32, false)) {
                assertThat(logits.sub(x.matMul(wide.transpose())).abs().max().getFloat()).isLessThan(1e-6f);
            }
        }
    }

    @Test
    void aSixteenBitTensorBeyondFloat16sRangeStaysFloat32InsteadOfTurningIntoInfinities() {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            NDArray inRange = sixteenBit(new float[] {1.5f, -65504f, 3e-3f}).uploadStored(m);
            NDArray beyond = sixteenBit(new float[] {1.5f, -70000f, 3e-3f}).uploadStored(m);

            assertThat(inRange.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(beyond.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(beyond.toFloatArray()).containsExactly(1.5f, -70000f, 3e-3f);
        }
    }

    /** A BF16 checkpoint tensor as the streamer presents it: stored in 16 bits, uploaded widened. */
    private static CheckpointTensor sixteenBit(float[] values) {
        CheckpointTensor host = CheckpointTensor.of(new HostTensor(new long[] {values.length}, values));
        return new CheckpointTensor() {
            @Override
            public long[] shape() {
                return host.shape();
            }

            @Override
            public HostTensor toHost() {
                return host.toHost();
            }

            @Override
            public NDArray upload(NDManager manager) {
                return host.upload(manager);
            }

            @Override
            public DataType storedType() {
                return DataType.FLOAT16;
            }
        };
    }

    @Test
    void aFloat32CheckpointKeepsFloat32() {
        try (NDManager m = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(Samples.tinystories());
             LlamaModel model = ModelLoader.load(ckpt, m, ModelOptions.of(Nf4Storage.DEFAULT).withHalfEmbeddings(true))) {
            assertThat(model.embeddingWeight().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(model.lmHead().linear()).isInstanceOf(DenseLinear.class);
        }
    }

    @Test
    void theHandWrittenHeadBackwardGivesAutogradsLossAndGradient() throws Exception {
        try (NDManager m = EngineRuntime.newManager("cpu"); HfCheckpoint ckpt = HfCheckpoint.open(bf16Tinystories());
             LlamaModel half = ModelLoader.load(ckpt, m, ModelOptions.dense().withHalfEmbeddings(true))) {
            // slices of 500 of the 2048 output rows: four full slices and an uneven last one
            half.lmHead().replace(new HalfStoredLinear(half.embeddingWeight(), 500));
            for (boolean masked : new boolean[] {false, true}) {
                int[] labels = ChunkedLossTest.labels(half, 2, 40, masked);
                // whole: compute() on model.head(h), autograd through HalfStoredLinear.forward (widened slices)
                ChunkedLossTest.Outcome expected = ChunkedLossTest.whole(half, labels, 2, 40);
                ChunkedLossTest.assertSame(expected, ChunkedLossTest.chunked(half, labels, 2, 40, 6));
                ChunkedLossTest.assertSame(expected, ChunkedLossTest.chunked(half, labels, 2, 40, 1000));
            }
        }
    }
}
