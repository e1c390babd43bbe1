package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.runtime.NativeArrays;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Builds a {@link LlamaModel} from a Hugging Face checkpoint or from a seed.
 *
 * <p>Tensors are read one at a time from the safetensors files. Those held densely (embeddings,
 * norms, the output head and, with {@link WeightStorage#DENSE}, the projections) are streamed
 * into natively allocated float32 arrays a few rows at a time, BF16/F16 widened chunk by chunk
 * ({@link TensorStreamer}), so a multi-gigabyte checkpoint is never held as floats on the Java
 * heap or in direct buffers; a quantizing storage gets one projection's floats at a time (NF4
 * quantizes them while loading). Embeddings, norms and the output head are float32, as
 * bitsandbytes keeps them in the compute type; with {@link ModelOptions#halfEmbeddings()} (QLoRA training) the
 * embedding and head of a 16-bit checkpoint are held in float16 instead ({@link CheckpointTensor#uploadStored}).
 */
public final class ModelLoader {

    private static final String[] ATTENTION = {"q_proj", "k_proj", "v_proj", "o_proj"};
    private static final String[] MLP = {"gate_proj", "up_proj", "down_proj"};

    private ModelLoader() {}

    public static LlamaModel load(HfCheckpoint checkpoint, NDManager manager, ModelOptions options) {
        TensorStreamer streamer = new TensorStreamer(checkpoint);
        LlamaConfig config = checkpoint.config();
        return build(config, manager, options, streamer::tensor, checkpoint::has,
                streamer.tensor(checkpoint.embeddingName()),
                () -> streamer.tensor(checkpoint.lmHeadName()));
    }

    /**
     * The loading path before streaming, kept as the reference that {@link #load} is tested against
     * and for the load benchmark: every tensor is widened to a {@code float[]} on the heap and
     * uploaded with {@code NDManager.create(float[])}, whose direct buffer stays alive as long as
     * the array. Same weights, bit for bit; more host memory, and a dense model needs direct memory
     * of its full float32 size.
     */
    public static LlamaModel loadWidenedOnHost(HfCheckpoint checkpoint, NDManager manager, ModelOptions options) {
        Function<String, CheckpointTensor> tensors = name -> CheckpointTensor.of(checkpoint.tensor(name));
        return build(checkpoint.config(), manager, options, tensors, checkpoint::has,
                CheckpointTensor.of(checkpoint.embedding()), () -> CheckpointTensor.of(checkpoint.lmHead()));
    }

    /**
     * A randomly initialised model (normal(0, initializer_range 0.02) weights, unit norms), for
     * benchmarks of realistic width without a multi-gigabyte download.
     */
    public static LlamaModel random(LlamaConfig config, NDManager manager, ModelOptions options, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Function<String, CheckpointTensor> init = name -> randomTensor(config, name, random, DataType.FLOAT32);
        // with half embeddings the random model stands for a 16-bit checkpoint's embedding and head
        DataType stored = options.halfEmbeddings() ? DataType.FLOAT16 : DataType.FLOAT32;
        CheckpointTensor embedding = randomTensor(config, "model.embed_tokens.weight", random, stored);
        return build(config, manager, options, init, name -> !name.endsWith(".bias"), embedding,
                () -> randomTensor(config, "lm_head.weight", random, stored));
    }

    private static LlamaModel build(LlamaConfig config, NDManager manager, ModelOptions options,
                                    Function<String, CheckpointTensor> tensors, Predicate<String> has,
                                    CheckpointTensor embeddingTensor, Supplier<CheckpointTensor> untiedHead) {
        NDArray embedding = options.halfEmbeddings() ? embeddingTensor.uploadStored(manager) : embeddingTensor.upload(manager);
        RotaryEmbedding rope = new RotaryEmbedding(manager, config.headDim(), config.maxPositionEmbeddings(), config.ropeTheta());
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String prefix = "model.layers." + i + ".";
            Projection[] attn = new Projection[4];
            for (int p = 0; p < 4; p++) {
                attn[p] = projection(manager, options, tensors, has, prefix + "self_attn." + ATTENTION[p]);
            }
            Projection[] mlp = new Projection[3];
            for (int p = 0; p < 3; p++) {
                mlp[p] = projection(manager, options, tensors, has, prefix + "mlp." + MLP[p]);
            }
            Attention attention = new Attention(i, attn[0], attn[1], attn[2], attn[3],
                    config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim(), rope);
            layers.add(new DecoderLayer(i,
                    norm(manager, tensors, prefix + "input_layernorm.weight", config),
                    attention,
                    norm(manager, tensors, prefix + "post_attention_layernorm.weight", config),
                    new FeedForward(mlp[0], mlp[1], mlp[2])));
        }
        RmsNorm finalNorm = norm(manager, tensors, "model.norm.weight", config);
        boolean tied = config.tieWordEmbeddings();
        NDArray headWeight = tied ? embedding : options.halfEmbeddings() ? untiedHead.get().uploadStored(manager)
                : untiedHead.get().upload(manager);
        Linear head = headWeight.getDataType() == DataType.FLOAT32 ? new DenseLinear(headWeight, null, DataType.FLOAT32)
                : new HalfStoredLinear(headWeight);
        Projection lmHead = new Projection("lm_head", head);
        return new LlamaModel(config, manager, options, embedding, layers, finalNorm, lmHead, rope, tied);
    }

    private static Projection projection(NDManager manager, ModelOptions options, Function<String, CheckpointTensor> tensors,
                                         Predicate<String> has, String path) {
        CheckpointTensor weight = tensors.apply(path + ".weight");
        NDArray bias = has.test(path + ".bias") ? tensors.apply(path + ".bias").upload(manager) : null;
        return new Projection(path, options.weights().hold(weight, bias, manager, options.computeType()));
    }

    private static RmsNorm norm(NDManager manager, Function<String, CheckpointTensor> tensors, String name, LlamaConfig config) {
        return new RmsNorm(tensors.apply(name).upload(manager), config.rmsNormEps());
    }

    static NDArray upload(NDManager manager, HostTensor tensor) {
        return manager.create(tensor.data(), new Shape(tensor.shape()));
    }

    /**
     * A host tensor into a natively allocated array, on CPU written through a view of the array's own memory, so
     * no direct buffer of its size stays alive behind it (a random 1.1B model would otherwise need its whole
     * float32 size as direct memory, over a {@code -Xmx2g} JVM's limit); elsewhere as {@link #upload}.
     */
    static NDArray uploadNative(NDManager manager, HostTensor tensor) {
        return NativeArrays.float32(manager, tensor.data(), new Shape(tensor.shape()));
    }

    private static CheckpointTensor randomTensor(LlamaConfig c, String name, SplittableRandom random, DataType stored) {
        HostTensor host = randomHostTensor(c, name, random);
        return new CheckpointTensor() {
            @Override
            public long[] shape() {
                return host.shape();
            }

            @Override
            public HostTensor toHost() {
                return host;
            }

            @Override
            public NDArray upload(NDManager manager) {
                return uploadNative(manager, host);
            }

            @Override
            public DataType storedType() {
                return stored;
            }
        };
    }

    private static HostTensor randomHostTensor(LlamaConfig c, String name, SplittableRandom random) {
        long[] shape = expectedShape(c, name);
        float[] data = new float[Math.toIntExact(shape.length == 1 ? shape[0] : shape[0] * shape[1])];
        if (name.endsWith("norm.weight")) {
            java.util.Arrays.fill(data, 1f);
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (random.nextGaussian() * 0.02);
            }
        }
        return new HostTensor(shape, data);
    }

    private static long[] expectedShape(LlamaConfig c, String name) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long inter = c.intermediateSize();
        if (name.endsWith("norm.weight")) {
            return new long[] {h};
        }
        if (name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight")) {
            return new long[] {c.vocabSize(), h};
        }
        if (name.contains("q_proj")) {
            return new long[] {q, h};
        }
        if (name.contains("k_proj") || name.contains("v_proj")) {
            return new long[] {kv, h};
        }
        if (name.contains("o_proj")) {
            return new long[] {h, q};
        }
        if (name.contains("gate_proj") || name.contains("up_proj")) {
            return new long[] {inter, h};
        }
        if (name.contains("down_proj")) {
            return new long[] {h, inter};
        }
        throw new IllegalArgumentException("no shape rule for " + name);
    }
}
