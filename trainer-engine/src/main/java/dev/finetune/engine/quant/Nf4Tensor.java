package dev.finetune.engine.quant;

import java.util.Arrays;

/**
 * An NF4-quantized weight held on the host, with bitsandbytes {@code quantize_4bit(quant_type="nf4")}
 * semantics.
 *
 * <ul>
 *   <li>The flattened (row-major) weight is cut into blocks of {@code blockSize}; the last block may be
 *       partial. Each block keeps its fp32 absmax; each value is multiplied by {@code 1/absmax} and
 *       replaced by the nearest {@link Nf4Codebook} code (an all-zero block gets the zero code).</li>
 *   <li>Codes are packed two per byte, the first element of a pair in the HIGH nibble. For an odd
 *       element count the unused low nibble of the last byte holds {@link Nf4Codebook#ZERO_CODE}.</li>
 *   <li>With double quantization the absmax values are centred by their mean ({@code absmaxOffset}) and
 *       the centred values are quantized blockwise ({@code absmaxBlockSize}) to the signed 8-bit
 *       {@link DynamicMap}, keeping one fp32 scale (the block's absmax) per block. The effective absmax
 *       is {@code DynamicMap.value(q) * scale + offset}, all in float arithmetic. The 4-bit codes are
 *       chosen with the exact absmax, as bitsandbytes does.</li>
 *   <li>Dequantization is {@code Nf4Codebook.value(code) * effectiveAbsmax} in float.</li>
 * </ul>
 *
 * <p>Immutable: accessors return copies.
 */
public final class Nf4Tensor {

    private final long[] shape;
    private final int numel;
    private final Nf4Options options;
    private final byte[] packedCodes;
    /** fp32 absmax per block; null with double quantization. */
    private final float[] absmax;
    /** 8-bit dynamic-map codes of the centred absmax; null without double quantization. */
    private final byte[] quantizedAbsmax;
    /** fp32 scale per block of absmax values; null without double quantization. */
    private final float[] absmaxScales;
    private final float absmaxOffset;

    private Nf4Tensor(long[] shape, Nf4Options options, byte[] packedCodes, float[] absmax,
                      byte[] quantizedAbsmax, float[] absmaxScales, float absmaxOffset) {
        this.shape = shape;
        this.numel = checkedNumel(shape);
        this.options = options;
        this.packedCodes = packedCodes;
        this.absmax = absmax;
        this.quantizedAbsmax = quantizedAbsmax;
        this.absmaxScales = absmaxScales;
        this.absmaxOffset = absmaxOffset;
    }

    /** Quantizes a row-major weight of the given shape; weights must be finite. */
    public static Nf4Tensor quantize(long[] shape, float[] weights, Nf4Options opts) {
        int n = checkedNumel(shape);
        if (weights.length != n) {
            throw new IllegalArgumentException("weights has " + weights.length + " values but shape "
                + Arrays.toString(shape) + " needs " + n);
        }
        int bs = opts.blockSize();
        int blocks = ceilDiv(n, bs);
        float[] blockAbsmax = new float[blocks];
        byte[] packed = new byte[ceilDiv(n, 2)];
        // blocks are independent and never share a packed byte (even blocksize), so large weights
        // are quantized in parallel slices; the result does not depend on the split
        int slice = Math.max(1, (1 << 16) / bs);
        int slices = ceilDiv(blocks, slice);
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, slices);
        try {
            (slices > 1 ? range.parallel() : range).forEach(s -> {
                int last = Math.min(blocks, (s + 1) * slice);
                for (int b = s * slice; b < last; b++) {
                    blockAbsmax[b] = quantizeBlock(weights, b * bs, Math.min(n, b * bs + bs), packed);
                }
            });
        } catch (IllegalArgumentException e) {
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(weights[i])) {
                    throw new IllegalArgumentException("weights[" + i + "] is not finite: " + weights[i]);
                }
            }
            throw e;
        }
        if ((n & 1) == 1) {
            packed[n >> 1] |= (byte) Nf4Codebook.ZERO_CODE;
        }
        long[] shapeCopy = shape.clone();
        if (!opts.doubleQuant()) {
            return new Nf4Tensor(shapeCopy, opts, packed, blockAbsmax, null, null, 0f);
        }
        double sum = 0;
        for (float a : blockAbsmax) {
            sum += a;
        }
        float offset = (float) (sum / blocks);
        int abs = opts.absmaxBlockSize();
        int absBlocks = ceilDiv(blocks, abs);
        float[] scales = new float[absBlocks];
        byte[] q = new byte[blocks];
        // each group of absmax values is quantized on its own: in parallel, the result does not depend on the split
        java.util.stream.IntStream groups = java.util.stream.IntStream.range(0, absBlocks);
        (absBlocks > 64 ? groups.parallel() : groups).forEach(j -> {
            int start = j * abs;
            int end = Math.min(blocks, start + abs);
            float max = 0;
            for (int b = start; b < end; b++) {
                max = Math.max(max, Math.abs(blockAbsmax[b] - offset));
            }
            scales[j] = max;
            float inv = 1.0f / max;
            for (int b = start; b < end; b++) {
                int code = max == 0 ? DynamicMap.ZERO_CODE : DynamicMap.nearest((blockAbsmax[b] - offset) * inv);
                q[b] = (byte) code;
            }
        });
        return new Nf4Tensor(shapeCopy, opts, packed, null, q, scales, offset);
    }

    /** Quantizes {@code weights[start, end)} into {@code packed}; returns the block's absmax. */
    private static float quantizeBlock(float[] weights, int start, int end, byte[] packed) {
        float max = 0;
        for (int i = start; i < end; i++) {
            float v = weights[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("weights[" + i + "] is not finite: " + v);
            }
            max = Math.max(max, Math.abs(v));
        }
        if (max == 0) {
            for (int i = start; i < end; i++) {
                packed[i >> 1] |= (byte) ((i & 1) == 0 ? Nf4Codebook.ZERO_CODE << 4 : Nf4Codebook.ZERO_CODE);
            }
            return 0f;
        }
        float inv = 1.0f / max;
        if (Float.isInfinite(inv)) {
            // a subnormal absmax: the scaled values are not in [-1, 1] (w * inf), so the table does not apply
            for (int i = start; i < end; i++) {
                int code = Nf4Codebook.nearest(weights[i] * inv);
                packed[i >> 1] |= (byte) ((i & 1) == 0 ? code << 4 : code);
            }
            return max;
        }
        int i = start;
        if ((i & 1) == 1) {
            packed[i >> 1] |= (byte) Nf4Codebook.nearestInUnit(weights[i] * inv);
            i++;
        }
        for (; i + 1 < end; i += 2) {
            int hi = Nf4Codebook.nearestInUnit(weights[i] * inv);
            int lo = Nf4Codebook.nearestInUnit(weights[i + 1] * inv);
            packed[i >> 1] = (byte) ((hi << 4) | lo);
        }
        if (i < end) {
            packed[i >> 1] |= (byte) (Nf4Codebook.nearestInUnit(weights[i] * inv) << 4);
        }
        return max;
    }

    /** Rebuilds a tensor saved without double quantization. */
    public static Nf4Tensor fromParts(long[] shape, Nf4Options opts, byte[] packedCodes, float[] absmax) {
        if (opts.doubleQuant()) {
            throw new IllegalArgumentException("doubleQuant options need quantizedAbsmax, absmaxScales and absmaxOffset");
        }
        int n = checkedNumel(shape);
        checkLength("packedCodes", packedCodes.length, ceilDiv(n, 2));
        checkLength("absmax", absmax.length, ceilDiv(n, opts.blockSize()));
        return new Nf4Tensor(shape.clone(), opts, packedCodes.clone(), absmax.clone(), null, null, 0f);
    }

    /** Rebuilds a double-quantized tensor from its saved parts. */
    public static Nf4Tensor fromParts(long[] shape, Nf4Options opts, byte[] packedCodes,
                                      byte[] quantizedAbsmax, float[] absmaxScales, float absmaxOffset) {
        if (!opts.doubleQuant()) {
            throw new IllegalArgumentException("options without doubleQuant need a plain fp32 absmax array");
        }
        int n = checkedNumel(shape);
        int blocks = ceilDiv(n, opts.blockSize());
        checkLength("packedCodes", packedCodes.length, ceilDiv(n, 2));
        checkLength("quantizedAbsmax", quantizedAbsmax.length, blocks);
        checkLength("absmaxScales", absmaxScales.length, ceilDiv(blocks, opts.absmaxBlockSize()));
        return new Nf4Tensor(shape.clone(), opts, packedCodes.clone(), null, quantizedAbsmax.clone(),
            absmaxScales.clone(), absmaxOffset);
    }

    /** The dense fp32 weight, row-major. */
    public float[] dequantize() {
        float[] scale = dequantizedAbsmax();
        int bs = options.blockSize();
        float[] out = new float[numel];
        for (int i = 0; i < numel; i++) {
            int packed = packedCodes[i >> 1] & 0xFF;
            int code = (i & 1) == 0 ? packed >>> 4 : packed & 0x0F;
            out[i] = Nf4Codebook.value(code) * scale[i / bs];
        }
        return out;
    }

    /** The absmax actually used for each block when dequantizing (after double quantization, if any). */
    public float[] dequantizedAbsmax() {
        if (!options.doubleQuant()) {
            return absmax.clone();
        }
        int abs = options.absmaxBlockSize();
        float[] out = new float[quantizedAbsmax.length];
        for (int b = 0; b < out.length; b++) {
            out[b] = DynamicMap.value(quantizedAbsmax[b] & 0xFF) * absmaxScales[b / abs] + absmaxOffset;
        }
        return out;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel;
    }

    public Nf4Options options() {
        return options;
    }

    /** Number of quantization blocks (absmax values). */
    public int blockCount() {
        return ceilDiv(numel, options.blockSize());
    }

    /** Two 4-bit codes per byte, first element in the high nibble. */
    public byte[] packedCodes() {
        return packedCodes.clone();
    }

    /** The fp32 absmax per block; only without double quantization. */
    public float[] absmax() {
        requireDoubleQuant(false, "absmax");
        return absmax.clone();
    }

    /** Dynamic-map codes (read unsigned) of the centred absmax values; only with double quantization. */
    public byte[] quantizedAbsmax() {
        requireDoubleQuant(true, "quantizedAbsmax");
        return quantizedAbsmax.clone();
    }

    /** One fp32 scale per {@code absmaxBlockSize} absmax values; only with double quantization. */
    public float[] absmaxScales() {
        requireDoubleQuant(true, "absmaxScales");
        return absmaxScales.clone();
    }

    /** The mean absmax subtracted before double quantization (0 without it). */
    public float absmaxOffset() {
        return absmaxOffset;
    }

    /**
     * Bytes needed to store the tensor: packed codes plus either fp32 absmax, or 8-bit absmax codes, fp32
     * scales and the fp32 offset. The shared 16- and 256-entry lookup tables are not counted.
     */
    public long storageBytes() {
        long bytes = packedCodes.length;
        if (options.doubleQuant()) {
            return bytes + quantizedAbsmax.length + 4L * absmaxScales.length + 4L;
        }
        return bytes + 4L * absmax.length;
    }

    /** {@code 8 * storageBytes() / numel()}. */
    public double bitsPerParameter() {
        return 8.0 * storageBytes() / numel;
    }

    // package-private zero-copy views for Nf4Weight.upload
    byte[] rawPackedCodes() {
        return packedCodes;
    }

    float[] rawAbsmax() {
        return absmax;
    }

    byte[] rawQuantizedAbsmax() {
        return quantizedAbsmax;
    }

    float[] rawAbsmaxScales() {
        return absmaxScales;
    }

    private void requireDoubleQuant(boolean expected, String what) {
        if (options.doubleQuant() != expected) {
            throw new IllegalStateException(what + " is only stored " + (expected ? "with" : "without")
                + " double quantization");
        }
    }

    static int ceilDiv(int a, int b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    private static void checkLength(String field, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(field + " has length " + actual + ", expected " + expected);
        }
    }

    private static int checkedNumel(long[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("shape must have at least one dimension");
        }
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for host arrays: " + n + " elements");
        }
        return (int) n;
    }
}
