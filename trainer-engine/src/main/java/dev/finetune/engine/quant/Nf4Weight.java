package dev.finetune.engine.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.util.Arrays;
import dev.finetune.engine.runtime.NativeArrays;

/**
 * An {@link Nf4Tensor} resident on a device, rebuilt into a dense frozen weight on demand with NDArray
 * ops only, so it can run inside every training step (the QLoRA forward pass).
 *
 * <p>Uploaded once: the packed codes (UINT8, padded to whole blocks), a 256x2 lookup table in the
 * compute type (row {@code b} holds the values of the high and of the low nibble of byte {@code b}, so
 * one row gather unpacks a byte and no bit operations are needed), and either the fp32 absmax or the double-quantized absmax (UINT8 codes, the 256-entry
 * dynamic map, fp32 scales and the offset). {@link #dequantize()} reconstructs the absmax in fp32
 * exactly as {@link Nf4Tensor#dequantizedAbsmax()} does, converts it to the compute type and multiplies
 * it with the looked-up codes; in FLOAT32 the result equals {@link Nf4Tensor#dequantize()} bit for bit.
 * In FLOAT16 the code value and the absmax are each rounded to fp16 before the product (bitsandbytes
 * rounds only the fp32 product), a difference well below the 4-bit quantization error.
 *
 * <p>None of the stored arrays requires a gradient, so the ops record nothing while a
 * GradientCollector is active for other arrays; intermediates are released at the end of each call.
 * Not thread-safe for concurrent {@link #close()}; concurrent dequantize calls are fine.
 */
public final class Nf4Weight implements AutoCloseable {

    private static final byte PAD_BYTE = (byte) ((Nf4Codebook.ZERO_CODE << 4) | Nf4Codebook.ZERO_CODE);

    private final long[] shape;
    private final long numel;
    private final int blockSize;
    private final int blocks;
    private final DataType computeType;
    private final NDManager manager;
    private final NDArray codes;
    /** (256, 2): values of the high and low nibble of every byte. */
    private final NDArray pairTable;
    /** fp32 absmax, or null with double quantization. */
    private final NDArray absmax;
    private final NDArray quantizedAbsmax;
    private final NDArray dynamicMap;
    private final NDArray absmaxScales;
    private final NDArray absmaxOffset;
    private final int absmaxBlockSize;
    private final int absmaxBlocks;
    private volatile boolean closed;

    private Nf4Weight(Nf4Tensor t, NDManager parent, DataType computeType) {
        this.shape = t.shape();
        this.numel = t.numel();
        Nf4Options opts = t.options();
        this.blockSize = opts.blockSize();
        this.blocks = t.blockCount();
        this.computeType = computeType;
        this.manager = parent.newSubManager();
        try {
            byte[] packed = Arrays.copyOf(t.rawPackedCodes(), blocks * (blockSize / 2));
            Arrays.fill(packed, t.rawPackedCodes().length, packed.length, PAD_BYTE);
            this.codes = persistent(NativeArrays.uint8(manager, packed));
            float[] pairs = new float[512];
            for (int b = 0; b < 256; b++) {
                pairs[2 * b] = Nf4Codebook.value(b >>> 4);
                pairs[2 * b + 1] = Nf4Codebook.value(b & 0x0F);
            }
            this.pairTable = persistent(inComputeType(manager.create(pairs, new Shape(256, 2))));
            this.absmaxBlockSize = opts.absmaxBlockSize();
            if (opts.doubleQuant()) {
                this.absmaxBlocks = t.rawAbsmaxScales().length;
                byte[] q = Arrays.copyOf(t.rawQuantizedAbsmax(), absmaxBlocks * absmaxBlockSize);
                Arrays.fill(q, blocks, q.length, (byte) DynamicMap.ZERO_CODE);
                this.absmax = null;
                this.quantizedAbsmax = persistent(NativeArrays.uint8(manager, q));
                this.dynamicMap = persistent(manager.create(DynamicMap.values()));
                this.absmaxScales = persistent(manager.create(t.rawAbsmaxScales()).reshape(absmaxBlocks, 1));
                this.absmaxOffset = persistent(manager.create(new float[] {t.absmaxOffset()}));
            } else {
                this.absmaxBlocks = 0;
                this.absmax = persistent(NativeArrays.float32(manager, t.rawAbsmax()));
                this.quantizedAbsmax = null;
                this.dynamicMap = null;
                this.absmaxScales = null;
                this.absmaxOffset = null;
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Copies {@code t} to {@code manager}'s device. The weight owns a sub-manager of {@code manager};
     * closing either releases the device arrays.
     *
     * @param computeType FLOAT32 (CPU) or FLOAT16 (GPU); BFLOAT16 is refused because it aborts the JVM
     *                    in the DJL PyTorch build used here
     */
    public static Nf4Weight upload(Nf4Tensor t, NDManager manager, DataType computeType) {
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("computeType must be FLOAT32 or FLOAT16, got " + computeType);
        }
        return new Nf4Weight(t, manager, computeType);
    }

    /** The dense weight, attached to this weight's manager: close it once the step no longer needs it. */
    public NDArray dequantize() {
        return dequantize(manager);
    }

    /** The dense weight of {@link #shape()} in the compute type, attached to {@code target}. */
    public NDArray dequantize(NDManager target) {
        if (closed) {
            throw new IllegalStateException("Nf4Weight is closed");
        }
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // (bytes, 2) in element order; every large buffer here is fresh, so scaling in place is safe
            // and saves one weight-sized allocation (the dominant cost on CPU)
            // an embedding lookup gathers whole rows; measured ~3x faster than NDArray.get(index) here
            NDArray index = codes.toType(DataType.INT64, false);
            NDArray pairs = index.getNDArrayInternal()
                    .embedding(index, pairTable, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
            NDArray dense = pairs.reshape(blocks, blockSize).muli(blockScales().reshape(blocks, 1)).reshape(-1);
            if (dense.getShape().get(0) != numel) {
                dense = dense.get("0:" + numel);
            }
            result = dense.reshape(new Shape(shape));
            result.attach(target);
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** The per-block absmax as the dequantization uses it, shape (blocks), in the compute type. */
    private NDArray blockScales() {
        NDArray scales;
        if (absmax != null) {
            scales = absmax;
        } else {
            NDArray values = dynamicMap.take(quantizedAbsmax.toType(DataType.INT64, false));
            NDArray flat = values.reshape(absmaxBlocks, absmaxBlockSize).mul(absmaxScales).reshape(-1);
            if (flat.getShape().get(0) != blocks) {
                flat = flat.get("0:" + blocks);
            }
            scales = flat.add(absmaxOffset);
        }
        return computeType == DataType.FLOAT32 ? scales : scales.toType(computeType, false);
    }

    public long[] shape() {
        return shape.clone();
    }

    public DataType computeType() {
        return computeType;
    }

    /** Bytes held on the device by the uploaded arrays (excluding transient dequantize buffers). */
    public long deviceBytes() {
        long bytes = 0;
        for (NDArray a : new NDArray[] {codes, pairTable, absmax, quantizedAbsmax, dynamicMap,
            absmaxScales, absmaxOffset}) {
            if (a != null) {
                bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    private NDArray inComputeType(NDArray fp32) {
        return computeType == DataType.FLOAT32 ? fp32 : fp32.toType(computeType, false);
    }

    /** Keeps an uploaded array out of any NDScope the caller may have open. */
    private static NDArray persistent(NDArray array) {
        NDScope.unregister(array);
        return array;
    }
}
