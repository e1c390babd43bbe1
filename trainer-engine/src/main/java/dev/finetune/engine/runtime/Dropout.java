package dev.finetune.engine.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Inverted dropout ({@code x * keep / (1 - p)}, keep ~ Bernoulli(1 - p)) with masks drawn from a per-thread stream
 * that the caller seeds, so a block's recomputation and a resumed run see the same masks as the first pass.
 *
 * <p>On the CPU the mask is drawn in Java ({@link SplittableRandom}, two 32-bit draws per 64-bit value, the
 * mask's chunks filled in parallel straight into the tensor's memory) instead of by libtorch's generator: its
 * {@code bernoulli_} is a serial Mersenne twister that cost about 37 ms per decoder block of the benchmark model,
 * seven masks per block (docs/BENCHMARKS.md), against about 6 ms here. The keep probability is exact to
 * {@code 2^-32}. On a GPU the mask stays on the device: libtorch's dropout, its global generator seeded with the
 * same value ({@link EngineRuntime#seed}).
 *
 * <p>The stream is per thread: {@link #seed} starts a stream, and the n-th mask drawn after it is a function of
 * (seed, n) and the mask's size only, whatever ran on other threads, and whatever the number of cores.
 */
public final class Dropout {

    private static final int CHUNK = 1 << 15;
    private static final ThreadLocal<Stream> STREAM = ThreadLocal.withInitial(() -> new Stream(0));

    private Dropout() {}

    /** Starts this thread's mask stream at {@code seed} (and seeds libtorch's generator for the GPU path). */
    public static void seed(long seed) {
        STREAM.set(new Stream(seed));
        EngineRuntime.seed(seed);
    }

    /** {@code x} with each element zeroed with probability {@code p} and the rest scaled by {@code 1 / (1 - p)}. */
    public static NDArray apply(NDArray x, float p) {
        if (p <= 0) {
            return x;
        }
        if (p >= 1) {
            throw new IllegalArgumentException("dropout must be below 1, got " + p);
        }
        if (x.getDevice().isGpu()) {
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
        if (size > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("dropout over more than 2^29 elements: " + x.getShape());
        }
        NDArray mask = x.getManager().create(x.getShape(), DataType.FLOAT32);
        FloatBuffer memory = mask.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float scale = (float) (1.0 / (1.0 - p));
        // a drop is a 32-bit draw below p * 2^32, compared unsigned (the flip of the sign bit makes it a signed compare)
        int threshold = (int) Math.min(Math.round(p * 4294967296.0), 0xFFFFFFFFL) ^ Integer.MIN_VALUE;
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = (int) Math.min(size, from + (long) CHUNK);
            float[] values = new float[to - from];
            SplittableRandom random = new SplittableRandom(mix(seed, c));
            int i = 0;
            for (; i + 1 < values.length; i += 2) {
                long r = random.nextLong();
                values[i] = ((int) r ^ Integer.MIN_VALUE) >= threshold ? scale : 0f;
                values[i + 1] = ((int) (r >>> 32) ^ Integer.MIN_VALUE) >= threshold ? scale : 0f;
            }
            if (i < values.length) {
                values[i] = ((int) random.nextLong() ^ Integer.MIN_VALUE) >= threshold ? scale : 0f;
            }
            memory.slice(from, values.length).put(values);
        });
        return mask;
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
