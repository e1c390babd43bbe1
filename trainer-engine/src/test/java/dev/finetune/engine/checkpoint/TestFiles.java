package dev.finetune.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sample locations and hand-made safetensors files for the tests. */
final class TestFiles {

    private TestFiles() {
    }

    static Path samples() {
        String dir = System.getProperty("samples.dir");
        if (dir == null) {
            throw new IllegalStateException("system property samples.dir is not set (run the tests with Maven)");
        }
        return Path.of(dir);
    }

    static Path tinystories() {
        return samples().resolve("models/tinystories-656k");
    }

    static Path stories260k() {
        return samples().resolve("models/stories260k");
    }

    /** Writes {@code u64 len | header | data} exactly as given, no padding or checks. */
    static Path raw(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    /** Little-endian bytes of 16-bit patterns. */
    static byte[] shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Every tensor of a checkpoint, in its order. */
    static Map<String, HostTensor> readAll(HfCheckpoint ckpt) {
        Map<String, HostTensor> all = new LinkedHashMap<>();
        for (String n : ckpt.tensorNames()) {
            all.put(n, ckpt.tensor(n));
        }
        return all;
    }

    /** Copies config.json (and nothing else) of a checkpoint into dir. */
    static void copyConfig(Path from, Path dir) throws IOException {
        Files.copy(from.resolve("config.json"), dir.resolve("config.json"));
    }
}
