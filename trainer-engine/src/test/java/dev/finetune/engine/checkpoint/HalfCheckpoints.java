package dev.finetune.engine.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes Hugging Face checkpoints in BF16, F16 or F32 over any number of shards, tensor by tensor
 * and chunk by chunk, so a checkpoint of billions of parameters can be made for a test or a bench
 * without holding it (the production writer only writes F32 from host arrays). Floats are narrowed
 * with round-to-nearest-even.
 */
public final class HalfCheckpoints {

    private static final int CHUNK = 1 << 20;

    /** Fills {@code out} with the float values of elements {@code [first, first + out.length)} of a tensor. */
    @FunctionalInterface
    public interface Values {
        void fill(String name, long first, float[] out);
    }

    private HalfCheckpoints() {
    }

    /** Every tensor of a Llama checkpoint for the config, embedding first and (when untied) lm_head last. */
    public static Map<String, long[]> llamaShapes(LlamaConfig config) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(LlamaLayout.EMBED, new long[] {config.vocabSize(), config.hiddenSize()});
        m.putAll(LlamaLayout.expectedShapes(config));
        if (!config.tieWordEmbeddings()) {
            m.put(LlamaLayout.LM_HEAD, new long[] {config.vocabSize(), config.hiddenSize()});
        }
        return m;
    }

    /**
     * Random weights as an initialised model has them: uniform in +-0.05 (about the spread of a
     * 0.02 normal), norms at 1 plus noise; deterministic per tensor name and seed.
     */
    public static Values random(long seed) {
        return (name, first, out) -> {
            SplittableRandom r = new SplittableRandom(seed * 31 + name.hashCode() * 1_000_003L + first);
            boolean norm = name.endsWith("norm.weight");
            for (int i = 0; i < out.length; i++) {
                float u = (r.nextInt() >> 8) * 0x1p-23f;
                out[i] = norm ? 1f + 0.1f * u : 0.05f * u;
            }
        };
    }

    /** The values of an open checkpoint (to re-encode a real sample in another dtype). */
    public static Values of(HfCheckpoint source) {
        return (name, first, out) -> {
            float[] all = source.tensor(name).data();
            System.arraycopy(all, Math.toIntExact(first), out, 0, out.length);
        };
    }

    /**
     * Writes {@code config.json} and the tensors as {@code dtype} into {@code dir}: one
     * {@code model.safetensors} when {@code shards == 1}, else that many shards of roughly equal
     * size plus {@code model.safetensors.index.json}.
     */
    public static void write(Path dir, String configJson, Map<String, long[]> shapes, TensorDType dtype,
                             int shards, Values values) {
        if (dtype != TensorDType.BF16 && dtype != TensorDType.F16 && dtype != TensorDType.F32) {
            throw new IllegalArgumentException("dtype " + dtype);
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(HfCheckpoint.CONFIG), configJson);
            long total = 0;
            for (long[] s : shapes.values()) {
                total += HostTensor.product(s) * dtype.bytes();
            }
            List<Map<String, long[]>> parts = new ArrayList<>();
            Map<String, long[]> cur = new LinkedHashMap<>();
            long curBytes = 0;
            long target = Math.max(1, total / shards);
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long bytes = HostTensor.product(e.getValue()) * dtype.bytes();
                if (!cur.isEmpty() && curBytes + bytes > target && parts.size() < shards - 1) {
                    parts.add(cur);
                    cur = new LinkedHashMap<>();
                    curBytes = 0;
                }
                cur.put(e.getKey(), e.getValue());
                curBytes += bytes;
            }
            parts.add(cur);
            if (parts.size() == 1) {
                writeFile(dir.resolve(HfCheckpoint.SINGLE), parts.get(0), dtype, values);
                return;
            }
            StringBuilder index = new StringBuilder("{\"metadata\":{\"total_size\":" + total + "},\"weight_map\":{");
            boolean firstEntry = true;
            for (int i = 0; i < parts.size(); i++) {
                String file = String.format("model-%05d-of-%05d.safetensors", i + 1, parts.size());
                writeFile(dir.resolve(file), parts.get(i), dtype, values);
                for (String name : parts.get(i).keySet()) {
                    index.append(firstEntry ? "" : ",").append('"').append(name).append("\":\"").append(file).append('"');
                    firstEntry = false;
                }
            }
            Files.writeString(dir.resolve(HfCheckpoint.INDEX), index.append("}}").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFile(Path file, Map<String, long[]> tensors, TensorDType dtype, Values values)
            throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = HostTensor.product(e.getValue()) * dtype.bytes();
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(dtype.name())
                    .append("\",\"shape\":").append(java.util.Arrays.toString(e.getValue()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).flip();
            writeAll(ch, len);
            writeAll(ch, ByteBuffer.wrap(h));
            ByteBuffer out = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, long[]> e : tensors.entrySet()) {
                long numel = HostTensor.product(e.getValue());
                for (long first = 0; first < numel; first += CHUNK) {
                    float[] chunk = new float[(int) Math.min(CHUNK, numel - first)];
                    values.fill(e.getKey(), first, chunk);
                    out.clear();
                    for (float f : chunk) {
                        if (dtype == TensorDType.BF16) {
                            out.putShort(toBf16(f));
                        } else if (dtype == TensorDType.F16) {
                            out.putShort(toF16(f));
                        } else {
                            out.putFloat(f);
                        }
                    }
                    writeAll(ch, out.flip());
                }
            }
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Float to bfloat16, round to nearest even (NaN stays NaN). */
    public static short toBf16(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((b >>> 16) | 0x40);
        }
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    /** Float to IEEE binary16, round to nearest even, subnormals included, overflow to infinity. */
    public static short toF16(float f) {
        int b = Float.floatToRawIntBits(f);
        int sign = (b >>> 16) & 0x8000;
        int abs = b & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= 0x47800000) {
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x38800000) {
            int m = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);
            return (short) (sign | m);
        }
        int m = abs & 0x7FFFFF;
        int h = (((abs >>> 23) - 112) << 10) | (m >>> 13);
        int rem = m & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
            h++;
        }
        return (short) (sign | h);
    }
}
