package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face checkpoint directory: config.json, F32 safetensors (one file, or
 * {@code model-0000i-of-0000N.safetensors} shards plus {@code model.safetensors.index.json} when
 * the tensors exceed 2 GiB) and copies of the tokenizer files. Stale weight files of the other
 * layout in the directory are removed so that {@link HfCheckpoint#open} reads what was written.
 */
public final class HfCheckpointWriter {

    /** Largest single file written before sharding. */
    public static final long MAX_SHARD_BYTES = 2L << 30;

    /** Files copied from the tokenizer source directory when present. */
    public static final List<String> TOKENIZER_FILES = List.of(
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json");

    private static final Map<String, String> METADATA = Map.of("format", "pt");

    private HfCheckpointWriter() {
    }

    public static void write(Path outDir, LlamaConfig config, Map<String, HostTensor> tensors,
                             Path copyTokenizerFrom) {
        write(outDir, config, tensors, copyTokenizerFrom, MAX_SHARD_BYTES);
    }

    static void write(Path outDir, LlamaConfig config, Map<String, HostTensor> tensors,
                      Path copyTokenizerFrom, long maxShardBytes) {
        try {
            Files.createDirectories(outDir);
            writeAtomically(outDir.resolve(HfCheckpoint.CONFIG), config.toJson());
            List<Map<String, HostTensor>> shards = split(tensors, maxShardBytes);
            if (shards.size() == 1) {
                removeShardedFiles(outDir);
                SafetensorsWriter.write(outDir.resolve(HfCheckpoint.SINGLE), shards.get(0), METADATA);
            } else {
                Files.deleteIfExists(outDir.resolve(HfCheckpoint.SINGLE));
                removeShardedFiles(outDir);
                writeSharded(outDir, shards);
            }
            if (copyTokenizerFrom != null) {
                copyTokenizer(copyTokenizerFrom, outDir);
            }
        } catch (IOException e) {
            throw new CheckpointException(outDir + ": cannot write checkpoint (" + e + ")", e);
        }
    }

    /** Greedy split in map order; a tensor larger than the limit gets a shard of its own. */
    static List<Map<String, HostTensor>> split(Map<String, HostTensor> tensors, long maxShardBytes) {
        List<Map<String, HostTensor>> shards = new ArrayList<>();
        Map<String, HostTensor> cur = new LinkedHashMap<>();
        long curBytes = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            long bytes = e.getValue().numel() * 4L;
            if (!cur.isEmpty() && curBytes + bytes > maxShardBytes) {
                shards.add(cur);
                cur = new LinkedHashMap<>();
                curBytes = 0;
            }
            cur.put(e.getKey(), e.getValue());
            curBytes += bytes;
        }
        shards.add(cur);
        return shards;
    }

    private static void writeSharded(Path outDir, List<Map<String, HostTensor>> shards) throws IOException {
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        int n = shards.size();
        for (int i = 0; i < n; i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, n);
            SafetensorsWriter.write(outDir.resolve(name), shards.get(i), METADATA);
            for (Map.Entry<String, HostTensor> e : shards.get(i).entrySet()) {
                weightMap.put(e.getKey(), name);
                total += e.getValue().numel() * 4L;
            }
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        try {
            writeAtomically(outDir.resolve(HfCheckpoint.INDEX), Json.PRETTY.writeValueAsString(index) + "\n");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(outDir.resolve(HfCheckpoint.INDEX) + ": cannot encode", e);
        }
    }

    private static void removeShardedFiles(Path outDir) throws IOException {
        Files.deleteIfExists(outDir.resolve(HfCheckpoint.INDEX));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(outDir, "model-*-of-*.safetensors")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void copyTokenizer(Path from, Path outDir) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new CheckpointException(from + ": tokenizer source directory does not exist");
        }
        if (Files.isSameFile(from, outDir)) {
            return;
        }
        for (String name : TOKENIZER_FILES) {
            Path src = from.resolve(name);
            if (Files.isRegularFile(src)) {
                Files.copy(src, outDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            SafetensorsWriter.moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
