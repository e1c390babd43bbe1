package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes F32 safetensors files the way the reference implementation lays them out: 8-byte
 * little-endian header length, JSON header padded with spaces to a multiple of 8, then the
 * tensors back to back in the map's iteration order. The file is written to a temporary file in
 * the same directory and moved into place, so readers never see a half-written file.
 */
public final class SafetensorsWriter {

    private static final int CHUNK_FLOATS = 1 << 20;

    private SafetensorsWriter() {
    }

    /**
     * Writes the tensors sorted by name, and the metadata sorted by key, so the same tensors make the
     * same bytes whatever map they came in (safetensors itself orders all-F32 files by name too).
     */
    public static void write(Path file, Map<String, HostTensor> unordered, Map<String, String> metadata) {
        Map<String, HostTensor> tensors = sorted(file, unordered);
        byte[] header = header(file, tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                writeFully(ch, len.flip());
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors.values()) {
                    float[] data = t.data();
                    for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
                        int n = Math.min(CHUNK_FLOATS, data.length - off);
                        buf.clear();
                        buf.asFloatBuffer().put(data, off, n);
                        buf.limit(n * 4);
                        writeFully(ch, buf);
                    }
                }
                ch.force(true);
            }
            moveIntoPlace(tmp, file);
            tmp = null;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write safetensors file (" + e + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort cleanup of our own temp file
                }
            }
        }
    }

    private static Map<String, HostTensor> sorted(Path file, Map<String, HostTensor> tensors) {
        if (tensors.keySet().stream().anyMatch(java.util.Objects::isNull)) {
            throw new CheckpointException(file + ": invalid tensor name 'null'");
        }
        return new TreeMap<>(tensors);
    }

    /** The padded JSON header for these tensors (all F32), in their order; the metadata sorted by key. */
    static byte[] header(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            h.put("__metadata__", new TreeMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new CheckpointException(file + ": invalid tensor name '" + name + "'");
            }
            if (e.getValue() == null) {
                throw new CheckpointException(file + ": tensor '" + name + "' is null");
            }
            long bytes = e.getValue().numel() * 4L;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", TensorDType.F32.safetensorsName());
            entry.put("shape", e.getValue().shape());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            h.put(name, entry);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsString(h).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": cannot encode header (" + e.getOriginalMessage() + ")", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /** Atomic rename where the file system supports it, plain replace otherwise. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
