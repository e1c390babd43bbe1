package dev.finetune.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Autoregressive generation with a KV cache: one forward over the prompt, then one token per
 * step. Greedy when the temperature is 0; otherwise temperature + top-p sampling with a seeded
 * RNG. Runs with autograd off, and times its two phases ({@link GenerationTiming}).
 */
public final class Generator {

    private final LlamaModel model;
    private final int eosId;

    public Generator(LlamaModel model, int eosId) {
        this.model = model;
        this.eosId = eosId;
    }

    /** What one generation produced: the new ids (the prompt excluded) and how long prefill and decode took. */
    public record Result(int[] tokenIds, GenerationTiming timing) {}

    /** Generated ids (the prompt excluded). The prompt must not be empty: pass at least BOS. */
    public int[] generate(int[] prompt, SamplingOptions options) {
        return generateTimed(prompt, options).tokenIds();
    }

    /** {@link #generate} with the time of its prefill and decode phases. */
    public Result generateTimed(int[] prompt, SamplingOptions options) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must contain at least one token (e.g. BOS)");
        }
        return EngineRuntime.noGrad(() -> run(prompt, options));
    }

    private Result run(int[] prompt, SamplingOptions options) {
        int maxPositions = model.config().maxPositionEmbeddings();
        SplittableRandom random = new SplittableRandom(options.seed());
        List<Integer> out = new ArrayList<>();
        long start = System.nanoTime();
        long firstToken = start;
        // room for the whole generation up front: the cache never reallocates while it decodes
        int capacity = Math.min(maxPositions, prompt.length + options.maxNewTokens());
        try (KvCache cache = new KvCache(model.layers().size(), capacity)) {
            int[] step = prompt;
            while (out.size() < options.maxNewTokens() && cache.length() + step.length <= maxPositions) {
                // logits come back to the host here, so the clock also covers GPU work
                // greedy takes the argmax where the logits are, so only the id comes back
                int next = options.isGreedy() ? readLast(step, cache, l -> (int) l.argMax().getLong())
                        : sample(lastLogits(step, cache), options, random);
                out.add(next);
                if (out.size() == 1) {
                    firstToken = System.nanoTime();
                }
                if (options.stopAtEos() && next == eosId) {
                    break;
                }
                step = new int[] {next};
            }
        }
        long end = out.isEmpty() ? start : System.nanoTime();
        GenerationTiming timing = new GenerationTiming(prompt.length, firstToken - start, out.size(), end - firstToken);
        return new Result(out.stream().mapToInt(Integer::intValue).toArray(), timing);
    }

    /**
     * Logits of the last position after feeding {@code ids} at the cache's current position. Everything the
     * step creates, on whichever manager (views of frozen weights, of the cache), is released with its scope,
     * so memory stays flat however long generation runs; the head runs on the last position only. A single new
     * token after a prefix runs the decode path ({@link LlamaModel#decodeContext}), as the serving decoder's rows do.
     */
    public float[] lastLogits(int[] ids, KvCache cache) {
        return readLast(ids, cache, NDArray::toFloatArray);
    }

    /** {@code read} applied to the logits {@code [vocab]} of the last position after feeding {@code ids}, in the step's scope. */
    private <T> T readLast(int[] ids, KvCache cache, Function<NDArray, T> read) {
        try (NDScope scope = new NDScope(); NDManager step = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            int past = cache.length();
            NDArray input = step.create(LlamaModel.toLong(ids), new Shape(1, ids.length));
            if (ids.length == 1 && past > 0) {
                // a decode step: the same batched-decode attention as a row of the serving decoder
                NDArray logits = model.forwardLast(input, model.decodeContext(step, new long[] {past}, List.of(cache)));
                return read.apply(logits.get(0));
            }
            NDArray positions = step.arange(past, past + ids.length, 1, DataType.INT64).reshape(1, ids.length);
            NDArray mask = AttentionMask.build(step, 1, ids.length, new int[ids.length], past, new int[past]);
            NDArray logits = model.forwardLast(input, model.context(positions, mask, cache));
            return read.apply(logits.get(0));
        }
    }

    public static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Temperature + top-p sampling from {@code logits} with {@code random}, as every generation path draws. */
    public static int sample(float[] logits, SamplingOptions options, SplittableRandom random) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] probs = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = Math.exp((logits[i] - max) / options.temperature());
            total += probs[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            probs[i] /= total;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double cumulative = 0;
        int keep = 0;
        while (keep < n && (keep == 0 || cumulative < options.topP())) {
            cumulative += probs[order[keep]];
            keep++;
        }
        double draw = random.nextDouble() * cumulative;
        for (int i = 0; i < keep; i++) {
            draw -= probs[order[i]];
            if (draw <= 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
