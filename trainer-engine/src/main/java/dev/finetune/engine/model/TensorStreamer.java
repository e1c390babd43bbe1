package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Uploads checkpoint tensors as float32 NDArrays without a float copy of the whole tensor on the
 * host. The target array is allocated natively (uninitialised, {@code torch.empty}). On the CPU,
 * where a contiguous tensor hands out a direct buffer over its own memory
 * ({@code toByteBuffer(true)}), the tensor is read and widened from BF16/F16 in Java (DJL cannot
 * hold BF16 arrays) straight into that memory, a chunk at a time; that view is never kept past the
 * load. Elsewhere (a GPU, a tensor over 2 GiB) it is read a block of whole rows at a time into one
 * reused direct buffer, wrapped as a temporary NDArray over that buffer and copied into its rows
 * of the target. So the host side of a load needs one chunk ({@value #CHUNK_BYTES}
 * bytes) however large the model, and no NDArray keeps a direct buffer alive: {@code
 * NDManager.create(float[])} wraps a direct buffer of the array's full size that lives as long as
 * the NDArray, which put a dense model under the JVM's direct memory limit (by default {@code -Xmx}).
 * The values are bit-identical to those of {@link HfCheckpoint#tensor}.
 */
final class TensorStreamer {

    static final int CHUNK_BYTES = 4 << 20;

    private final HfCheckpoint checkpoint;
    private final boolean intoTensorMemory;
    private ByteBuffer scratch;

    TensorStreamer(HfCheckpoint checkpoint) {
        this(checkpoint, true);
    }

    /** With {@code intoTensorMemory} false, always the chunk-copy path (tests cover both). */
    TensorStreamer(HfCheckpoint checkpoint, boolean intoTensorMemory) {
        this.checkpoint = checkpoint;
        this.intoTensorMemory = intoTensorMemory;
    }

    NDArray upload(String name, NDManager manager) {
        TensorInfo info = checkpoint.info(name);
        long[] shape = info.shape();
        long numel = info.numel();
        if (shape.length == 0 || numel == 0) {
            return ModelLoader.upload(manager, checkpoint.tensor(name));
        }
        long rows = shape[0];
        long rowLen = numel / rows;
        if (rowLen * 4 > CHUNK_BYTES && rowLen > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tensor '" + name + "' has rows of " + rowLen + " elements, too long to stream");
        }
        ByteBuffer buffer = buffer((int) Math.max(CHUNK_BYTES, rowLen * 4));
        int rowsPerChunk = (int) Math.min(rows, buffer.capacity() / 4 / rowLen);
        NDArray out = manager.create(new Shape(shape), DataType.FLOAT32);
        try {
            ByteBuffer view = intoTensorMemory && numel * 4 <= Integer.MAX_VALUE && !out.getDevice().isGpu() ? out.toByteBuffer(true) : null;
            if (view != null && view.isDirect() && view.capacity() == numel * 4) {
                // a contiguous CPU tensor hands out its own memory: widen straight into it, a chunk at a time
                view.order(ByteOrder.nativeOrder());
                for (long first = 0; first < numel; first += CHUNK_BYTES / 4) {
                    checkpoint.readFloats(name, first, (int) Math.min(CHUNK_BYTES / 4, numel - first), view);
                }
                return out;
            }
            for (long r = 0; r < rows; r += rowsPerChunk) {
                int n = (int) Math.min(rowsPerChunk, rows - r);
                int count = Math.toIntExact(n * rowLen);
                ByteBuffer chunk = buffer.duplicate().order(ByteOrder.nativeOrder());
                chunk.clear();
                checkpoint.readFloats(name, r * rowLen, count, chunk);
                chunk.flip();
                long[] partShape = shape.clone();
                partShape[0] = n;
                try (NDArray part = manager.create(chunk, new Shape(partShape), DataType.FLOAT32)) {
                    out.set(new NDIndex("{}:{}", r, r + n), part);
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** The reused direct buffer, grown only for a tensor whose single row exceeds a chunk. */
    private ByteBuffer buffer(int bytes) {
        if (bytes > CHUNK_BYTES) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.nativeOrder());
        }
        return scratch;
    }

    /** The checkpoint's tensor {@code name} as a {@link CheckpointTensor} that streams when uploaded. */
    CheckpointTensor tensor(String name) {
        return new CheckpointTensor() {
            @Override
            public long[] shape() {
                return checkpoint.info(name).shape();
            }

            @Override
            public dev.finetune.engine.checkpoint.HostTensor toHost() {
                return checkpoint.tensor(name);
            }

            @Override
            public NDArray upload(NDManager manager) {
                return TensorStreamer.this.upload(name, manager);
            }

            @Override
            public DataType storedType() {
                return switch (checkpoint.info(name).dtype()) {
                    case BF16, F16 -> DataType.FLOAT16;
                    default -> DataType.FLOAT32;
                };
            }
        };
    }
}
