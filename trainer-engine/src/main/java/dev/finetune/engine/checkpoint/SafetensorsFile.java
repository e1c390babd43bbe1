package dev.finetune.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open safetensors file. The header is read and validated on {@link #open}; tensors are read
 * one at a time with positional reads of just their byte range, so the file is never loaded as
 * a whole. Reads are safe to call from several threads. F16 and BF16 tensors are widened to
 * float; other dtypes can be listed but not read.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Same limit as the reference implementation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int CHUNK_BYTES = 1 << 22;
    private static final int STREAM_SCRATCH_BYTES = 1 << 18;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": file does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot open (" + e.getMessage() + ")", e);
        }
        try {
            return readHeader(file, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile readHeader(Path file, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + ": file has " + size
                        + " bytes, too short for the 8-byte safetensors header length (file truncated?)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(file + ": header length " + Long.toUnsignedString(headerLen)
                        + " is not sane (must be 1.." + MAX_HEADER_BYTES + "); not a safetensors file?");
            }
            if (headerLen > size - 8) {
                throw new CheckpointException(file + ": header length " + headerLen + " is larger than the "
                        + (size - 8) + " bytes that follow it in the file (file truncated or not safetensors?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(file, ch, hb, 8);
            JsonNode root = Json.parseHeader(file, hb.array());
            long dataSize = size - 8 - headerLen;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    parseMetadata(file, e.getValue(), meta);
                } else {
                    infos.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataSize));
                }
            }
            checkNoOverlap(file, infos);
            return new SafetensorsFile(file, ch, 8 + headerLen,
                    Collections.unmodifiableMap(infos), Collections.unmodifiableMap(meta));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read header (" + e.getMessage() + ")", e);
        }
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new CheckpointException(file + ": __metadata__ must be a JSON object of strings");
        }
        node.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new CheckpointException(file + ": __metadata__ value of '" + m.getKey()
                        + "' is not a string");
            }
            out.put(m.getKey(), m.getValue().asText());
        });
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode n, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        if (!n.isObject()) {
            throw new CheckpointException(where + ": header entry is not a JSON object");
        }
        JsonNode dt = n.get("dtype");
        TensorDType dtype = TensorDType.fromSafetensors(dt == null || !dt.isTextual() ? null : dt.asText())
                .orElseThrow(() -> new CheckpointException(where + ": unknown or missing dtype " + dt));
        long[] shape = Json.longArray(n.get("shape"), where + ": shape");
        long[] offs = Json.longArray(n.get("data_offsets"), where + ": data_offsets");
        if (offs.length != 2 || offs[0] > offs[1]) {
            throw new CheckpointException(where + ": data_offsets must be [begin, end] with begin <= end, got "
                    + java.util.Arrays.toString(offs));
        }
        long numel;
        long expected;
        try {
            numel = HostTensor.product(shape);
            expected = Math.multiplyExact(numel, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (offs[1] - offs[0] != expected) {
            throw new CheckpointException(where + ": byte range " + offs[0] + ".." + offs[1] + " has "
                    + (offs[1] - offs[0]) + " bytes but " + dtype + " shape " + java.util.Arrays.toString(shape)
                    + " needs " + expected);
        }
        if (offs[1] > dataSize) {
            throw new CheckpointException(where + " ends at byte " + offs[1] + " but the file's data section has "
                    + dataSize + " bytes (file truncated?)");
        }
        return new TensorInfo(name, dtype, shape, offs[0], offs[1]);
    }

    private static void checkNoOverlap(Path file, Map<String, TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>(infos.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.byteLength() > 0 && prev.byteLength() > 0) {
                throw new CheckpointException(file + ": tensors '" + prev.name() + "' (bytes " + prev.begin()
                        + ".." + prev.end() + ") and '" + cur.name() + "' (bytes " + cur.begin() + ".."
                        + cur.end() + ") overlap");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(path + ": has no tensor '" + name + "'");
        }
        return info;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public HostTensor read(String name) {
        TensorInfo info = info(name);
        return new HostTensor(info.shape(), readFloats(info));
    }

    public float[] readFloats(String name) {
        return readFloats(info(name));
    }

    private float[] readFloats(TensorInfo info) {
        if (closed) {
            throw new CheckpointException(path + ": file is closed");
        }
        TensorDType dt = info.dtype();
        if (!dt.isReadableAsFloat()) {
            throw new CheckpointException(path + ": tensor '" + info.name() + "' has dtype " + dt
                    + ", only F32, F16 and BF16 can be read as float");
        }
        long numel = info.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(path + ": tensor '" + info.name() + "' has " + numel
                    + " elements, more than a Java array can hold");
        }
        float[] out = new float[(int) numel];
        int per = dt.bytes();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(per, info.byteLength())))
                .order(ByteOrder.LITTLE_ENDIAN);
        long pos = dataStart + info.begin();
        int done = 0;
        short[] halves = null;
        while (done < out.length) {
            int n = Math.min(out.length - done, buf.capacity() / per);
            buf.clear().limit(n * per);
            readFully(path, channel, buf, pos);
            buf.flip();
            if (dt == TensorDType.F32) {
                buf.asFloatBuffer().get(out, done, n);
            } else {
                if (halves == null) {
                    halves = new short[buf.capacity() / per];
                }
                buf.asShortBuffer().get(halves, 0, n);
                if (dt == TensorDType.BF16) {
                    for (int i = 0; i < n; i++) {
                        out[done + i] = HalfFloats.bf16ToFloat(halves[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[done + i] = HalfFloats.f16ToFloat(halves[i]);
                    }
                }
            }
            done += n;
            pos += (long) n * per;
        }
        return out;
    }

    /**
     * Streams part of a tensor as float32 into {@code dst}: elements {@code [first, first + count)} in
     * row-major order, widened from F16/BF16 (with the same {@link HalfFloats} conversions as
     * {@link #readFloats(String)}, so the values are bit-identical) and written at {@code dst}'s
     * position in {@code dst}'s byte order; the position advances by {@code 4 * count}. With a
     * little-endian {@code dst} and an F32 tensor the bytes go straight from the file into it. Only
     * a small scratch buffer is allocated, so a caller that reuses one {@code dst} reads a tensor of
     * any size without a float copy of it on the heap.
     */
    public void readFloats(String name, long first, int count, ByteBuffer dst) {
        TensorInfo info = info(name);
        if (closed) {
            throw new CheckpointException(path + ": file is closed");
        }
        TensorDType dt = info.dtype();
        if (!dt.isReadableAsFloat()) {
            throw new CheckpointException(path + ": tensor '" + info.name() + "' has dtype " + dt
                    + ", only F32, F16 and BF16 can be read as float");
        }
        if (first < 0 || count < 0 || first + count > info.numel()) {
            throw new IndexOutOfBoundsException("elements " + first + ".." + (first + count) + " outside tensor '"
                    + name + "' of " + info.numel() + " elements");
        }
        if (dst.remaining() < 4L * count) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left, "
                    + (4L * count) + " needed");
        }
        int per = dt.bytes();
        long pos = dataStart + info.begin() + first * per;
        if (dt == TensorDType.F32 && dst.order() == ByteOrder.LITTLE_ENDIAN) {
            ByteBuffer view = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
            view.limit(4 * count);
            readFully(path, channel, view, pos);
            dst.position(dst.position() + 4 * count);
            return;
        }
        int pieceMax = Math.min(STREAM_SCRATCH_BYTES / 4, Math.max(1, count));
        ByteBuffer raw = ByteBuffer.allocate(pieceMax * per).order(ByteOrder.LITTLE_ENDIAN);
        short[] halves = dt == TensorDType.F32 ? null : new short[pieceMax];
        int[] bits = new int[pieceMax];
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, pieceMax);
            raw.clear().limit(n * per);
            readFully(path, channel, raw, pos);
            raw.flip();
            if (dt == TensorDType.F32) {
                raw.asIntBuffer().get(bits, 0, n);
            } else {
                raw.asShortBuffer().get(halves, 0, n);
                if (dt == TensorDType.BF16) {
                    for (int i = 0; i < n; i++) {
                        bits[i] = (halves[i] & 0xFFFF) << 16;
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        bits[i] = Float.floatToRawIntBits(HalfFloats.f16ToFloat(halves[i]));
                    }
                }
            }
            dst.asIntBuffer().put(bits, 0, n);
            dst.position(dst.position() + 4 * n);
            done += n;
            pos += (long) n * per;
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) {
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    throw new CheckpointException(file + ": unexpected end of file at byte " + pos
                            + " (file truncated?)");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": read failed at byte " + position + " (" + e.getMessage() + ")", e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException(path + ": close failed (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
