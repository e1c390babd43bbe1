package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face checkpoint directory of a Llama-family model: {@code config.json} plus either
 * {@code model.safetensors} or {@code model.safetensors.index.json} with its shards. Opening it
 * validates that every tensor the config implies is present with the right shape. Tensors are
 * read on demand; close the checkpoint to release the files.
 */
public final class HfCheckpoint implements AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final LlamaConfig config;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> files;

    private HfCheckpoint(Path dir, LlamaConfig config, Map<String, SafetensorsFile> byTensor,
                         List<SafetensorsFile> files) {
        this.dir = dir;
        this.config = config;
        this.byTensor = Collections.unmodifiableMap(byTensor);
        this.files = files;
    }

    public static HfCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": checkpoint directory does not exist");
        }
        LlamaConfig config = LlamaConfig.load(requireFile(dir, CONFIG));
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            if (Files.isRegularFile(dir.resolve(SINGLE))) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(SINGLE));
                files.add(f);
                f.names().forEach(n -> byTensor.put(n, f));
            } else if (Files.isRegularFile(dir.resolve(INDEX))) {
                openShards(dir, dir.resolve(INDEX), files, byTensor);
            } else {
                throw new CheckpointException(dir + ": neither " + SINGLE + " nor " + INDEX
                        + " is present (only safetensors checkpoints are supported)");
            }
            HfCheckpoint ckpt = new HfCheckpoint(dir, config, byTensor, files);
            ckpt.validate();
            return ckpt;
        } catch (RuntimeException e) {
            files.forEach(HfCheckpoint::closeQuietly);
            throw e;
        }
    }

    private static void openShards(Path dir, Path index, List<SafetensorsFile> files,
                                   Map<String, SafetensorsFile> byTensor) {
        JsonNode root;
        try {
            root = Json.parseObject(Files.readString(index, StandardCharsets.UTF_8), index.toString());
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read (" + e.getMessage() + ")", e);
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index + ": weight_map is missing or empty");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = map.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String tensor = e.getKey();
            String shard = e.getValue().isTextual() ? e.getValue().textValue() : null;
            Path shardPath = shard == null ? null : dir.resolve(shard).normalize();
            if (shardPath == null || shard.isEmpty() || !shardPath.startsWith(dir.normalize())) {
                throw new CheckpointException(index + ": weight_map entry for '" + tensor
                        + "' is not a file name inside the checkpoint directory: " + e.getValue());
            }
            SafetensorsFile f = shards.get(shard);
            if (f == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new CheckpointException(index + ": shard '" + shard + "' (holding tensor '" + tensor
                            + "') is missing from " + dir);
                }
                f = SafetensorsFile.open(shardPath);
                shards.put(shard, f);
                files.add(f);
            }
            if (!f.has(tensor)) {
                throw new CheckpointException(index + ": maps tensor '" + tensor + "' to shard '" + shard
                        + "', but that shard does not contain it");
            }
            byTensor.put(tensor, f);
        }
    }

    /** {@code dir/name} if it is a regular file, else an error "…/name is missing". */
    public static Path requireFile(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new CheckpointException(p + " is missing");
        }
        return p;
    }

    public LlamaConfig config() {
        return config;
    }

    public Path directory() {
        return dir;
    }

    /** All tensor names (header or weight_map order). */
    public Set<String> tensorNames() {
        return byTensor.keySet();
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /** Header entry of a tensor (dtype, shape, file offsets). */
    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    public HostTensor tensor(String name) {
        return file(name).read(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new CheckpointException(dir + ": checkpoint has no tensor '" + name + "'");
        }
        return f;
    }

    /** Streams part of a tensor as float32; see {@link SafetensorsFile#readFloats(String, long, int, java.nio.ByteBuffer)}. */
    public void readFloats(String name, long first, int count, java.nio.ByteBuffer dst) {
        file(name).readFloats(name, first, count, dst);
    }

    /** The input embedding [vocab, hidden]; for tied models stored only as lm_head, that matrix. */
    public HostTensor embedding() {
        return tensor(embeddingName());
    }

    /** The output projection [vocab, hidden]; for tied models stored only as the embedding, that matrix. */
    public HostTensor lmHead() {
        return tensor(lmHeadName());
    }

    /** The name of the tensor {@link #embedding()} reads. */
    public String embeddingName() {
        if (has(LlamaLayout.EMBED)) {
            return LlamaLayout.EMBED;
        }
        if (config.tieWordEmbeddings() && has(LlamaLayout.LM_HEAD)) {
            return LlamaLayout.LM_HEAD;
        }
        throw new CheckpointException(dir + ": checkpoint has no tensor '" + LlamaLayout.EMBED + "'"
                + (config.tieWordEmbeddings() ? " (nor a tied '" + LlamaLayout.LM_HEAD + "')" : ""));
    }

    /** The name of the tensor {@link #lmHead()} reads. */
    public String lmHeadName() {
        if (has(LlamaLayout.LM_HEAD)) {
            return LlamaLayout.LM_HEAD;
        }
        if (config.tieWordEmbeddings() && has(LlamaLayout.EMBED)) {
            return LlamaLayout.EMBED;
        }
        throw new CheckpointException(dir + ": checkpoint has no tensor '" + LlamaLayout.LM_HEAD + "'"
                + (config.tieWordEmbeddings() ? " (nor a tied '" + LlamaLayout.EMBED + "')"
                        : " and config.json has tie_word_embeddings false"));
    }

    /** Checks presence, shape and dtype of every tensor the config implies; reports all problems at once. */
    public void validate() {
        List<String> problems = new ArrayList<>();
        Map<String, long[]> expected = new LinkedHashMap<>();
        long[] vocabShape = {config.vocabSize(), config.hiddenSize()};
        boolean tied = config.tieWordEmbeddings();
        if (has(LlamaLayout.EMBED) || !tied || !has(LlamaLayout.LM_HEAD)) {
            expected.put(LlamaLayout.EMBED, vocabShape);
        }
        if (has(LlamaLayout.LM_HEAD) || !tied) {
            expected.put(LlamaLayout.LM_HEAD, vocabShape);
        }
        expected.putAll(LlamaLayout.expectedShapes(config));
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = e.getKey();
            String want = Arrays.toString(e.getValue());
            SafetensorsFile f = byTensor.get(name);
            if (f == null) {
                problems.add("tensor '" + name + "' is missing (expected shape " + want + ")");
                continue;
            }
            TensorInfo info = f.info(name);
            if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add("tensor '" + name + "' in " + f.path().getFileName() + " has shape "
                        + Arrays.toString(info.shape()) + ", expected " + want);
            }
            if (!info.dtype().isReadableAsFloat()) {
                problems.add("tensor '" + name + "' in " + f.path().getFileName() + " has dtype "
                        + info.dtype() + ", expected F32, F16 or BF16");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(dir + ": checkpoint does not match config.json ("
                    + config.modelType() + ", hidden " + config.hiddenSize() + ", " + config.numHiddenLayers()
                    + " layers, vocab " + config.vocabSize() + "): " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", problems));
        }
    }

    private static void closeQuietly(SafetensorsFile f) {
        try {
            f.close();
        } catch (RuntimeException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        files.forEach(HfCheckpoint::closeQuietly);
    }

    @Override
    public String toString() {
        return "HfCheckpoint[" + dir + ", " + config.modelType() + ", " + byTensor.size() + " tensors in "
                + files.size() + " file" + (files.size() == 1 ? "" : "s") + "]";
    }
}
