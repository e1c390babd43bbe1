package dev.finetune.engine.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Inverted dropout ({@code x * keep / (1 - p)}, keep ~ Bernoulli(1 - p)) with masks drawn from a per-thread stream
 * that the caller seeds, so a block's recomputation and a resumed run see the same masks as the first pass.
 *
 * <p>On the CPU the mask is drawn in Java (a counter-based hash, chunks of 32768 elements each with their own seed,
 * a loop the JIT vectorises, written into the tensor's memory) instead of by libtorch's generator: its
 * {@code bernoulli_} is a serial Mersenne twister that cost about 37 ms per decoder block of the benchmark model,
 * seven masks per block (docs/BENCHMARKS.md). The keep probability is exact to {@code 2^-31}. On a GPU the mask stays on the device: libtorch's dropout, its global generator seeded with the
 * same value ({@link EngineRuntime#seed}).
 *
 * <p>The stream is per thread: {@link #seed} starts a stream, and the n-th mask drawn after it is a function of
 * (seed, n) and the mask's size only, whatever ran on other threads, and whatever the number of cores.
 */
public final class Dropout {

    private static final int CHUNK = 1 << 15;
    /** The most elements whose float32 mask a Java buffer can view (2 GB). */
    private static final long MAX_MASK = Integer.MAX_VALUE / 4;
    /** {@code i * 0x9E3779B9} (a Weyl sequence: distinct for every i of a chunk), the counters of one chunk. */
    private static final int[] WEYL = new int[CHUNK];

    static {
        for (int i = 0; i < CHUNK; i++) {
            WEYL[i] = i * 0x9E3779B9;
        }
    }
    private static final ThreadLocal<Stream> STREAM = ThreadLocal.withInitial(() -> new Stream(0));

    private Dropout() {}

    /** Starts this thread's mask stream at {@code seed} (and seeds libtorch's generator for the GPU path). */
    public static void seed(long seed) {
        STREAM.set(new Stream(seed));
        EngineRuntime.seed(seed);
    }

    /** {@code x} with each element zeroed with probability {@code p} and the rest scaled by {@code 1 / (1 - p)}. */
    public static NDArray apply(NDArray x, float p) {
        if (Float.isNaN(p) || p >= 1) {
            throw new IllegalArgumentException("dropout must be below 1, got " + p);
        }
        if (p <= 0) {
            return x;
        }
        if (!Device.Type.CPU.equals(x.getDevice().getDeviceType()) || x.getShape().size() > MAX_MASK) {
            // on a device the mask stays there; a mask over 2 GB cannot be viewed from Java (rare: 2^29 activations)
            return x.getNDArrayInternal().dropout(x, p, true).singletonOrThrow();
        }
        try (NDArray mask = scaledMask(x, p, STREAM.get().next())) {
            return x.mul(mask);
        }
    }

    /**
     * A float32 tensor of x's shape holding {@code 1 / (1 - p)} with probability {@code 1 - p} and 0 otherwise, drawn
     * from {@code seed}: the mask PyTorch's CPU dropout multiplies by (and autograd keeps for the backward) too, so
     * the product is one pass each way, with no conversion of a boolean mask.
     */
    static NDArray scaledMask(NDArray x, float p, long seed) {
        long size = x.getShape().size();
        if (size > MAX_MASK) {
            throw new IllegalArgumentException("a Java-drawn mask holds at most 2^29 elements: " + x.getShape());
        }
        NDArray mask = x.getManager().create(x.getShape(), DataType.FLOAT32);
        IntBuffer memory = mask.toByteBuffer(true).order(ByteOrder.nativeOrder()).asIntBuffer();
        int dropBelow = (int) Math.round(p * 2147483648.0);
        int scaleBits = Float.floatToRawIntBits((float) (1.0 / (1.0 - p)));
        int[] bits = new int[(int) Math.min(size, CHUNK)];
        for (int c = 0, from = 0; from < size; c++, from += CHUNK) {
            int length = (int) Math.min(CHUNK, size - from);
            fill(bits, length, (int) mix(seed, c), dropBelow, scaleBits);
            memory.put(from, bits, 0, length);
        }
        return mask;
    }

    /**
     * The bit patterns of one chunk: element {@code i} hashes the counter {@code seed + i * 0x9E3779B9} with a 32-bit
     * integer hash (lowbias32: xor-shift, multiply, xor-shift, multiply, xor-shift) and is dropped when the hash's
     * top 31 bits fall below {@code dropBelow}. Integer operations only, over arrays, so the JIT vectorises the loop
     * (0.14 ms per million elements on one core here, against 1.7 ms with {@link java.util.SplittableRandom}).
     */
    private static void fill(int[] out, int length, int seed, int dropBelow, int scaleBits) {
        for (int i = 0; i < length; i++) {
            int z = seed + WEYL[i];
            z ^= z >>> 16;
            z *= 0x7feb352d;
            z ^= z >>> 15;
            z *= 0x846ca68b;
            z ^= z >>> 16;
            int dropped = ((z >>> 1) - dropBelow) >> 31;
            out[i] = scaleBits & ~dropped;
        }
    }

    private static long mix(long seed, long index) {
        long h = (seed ^ index * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        return h * 0x94D049BB133111EBL;
    }

    /** The masks drawn after one {@link #seed}: the n-th gets its own seed, derived from (seed, n). */
    private static final class Stream {
        private final long seed;
        private long drawn;

        Stream(long seed) {
            this.seed = seed;
        }

        long next() {
            return mix(seed, -1 - drawn++);
        }
    }
}
