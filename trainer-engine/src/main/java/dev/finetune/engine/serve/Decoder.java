package dev.finetune.engine.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.finetune.engine.model.AttentionMask;
import dev.finetune.engine.model.Generator;
import dev.finetune.engine.model.KvCache;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

/**
 * Continuous batching on one {@link ServingModel}: a background thread steps every active row with one
 * forward per step (each row feeds its last token at its own position, attends to its own KV cache, and gets
 * its own adapter's update on the shared base matmuls). A new request joins between steps after a prefill
 * forward of its prompt alone, which also yields its first token; a finished or cancelled row leaves between
 * steps. Each row picks tokens exactly as {@link Generator} does (greedy, or seeded temperature + top-p), so a
 * row's tokens equal a single-request generation with the same base, adapter and options.
 *
 * <p>Memory is bounded: a request reserves its prompt plus {@code maxNewTokens} KV positions (capped at the
 * context length) when it is submitted, and {@link #submit} refuses with a {@link DecoderFullException} when
 * the rows or the {@link DecoderOptions#maxKvTokens()} budget are taken.
 */
public final class Decoder implements AutoCloseable {

    private final ServingModel serving;
    private final LlamaModel model;
    private final DecoderOptions options;
    private final Thread thread;
    private final Deque<Row> pending = new ArrayDeque<>();
    private final List<Row> active = new ArrayList<>();
    private int rows;
    private long reservedKv;
    private volatile boolean closed;
    private volatile double stepSeconds = 0.05;
    private volatile int largestStep;
    /** Fewest tokens any running row still has to generate (for the retry hint), written by the decoder thread. */
    private volatile int soonestDone = 1;
    private volatile long steps;
    private Routing routing;

    Decoder(ServingModel serving, DecoderOptions options) {
        this.serving = serving;
        this.model = serving.model();
        this.options = options;
        this.thread = new Thread(this::loop, "decoder");
        thread.setDaemon(true);
        thread.start();
    }

    public DecoderOptions options() {
        return options;
    }

    /**
     * Queues a generation; its output goes to {@code sink} on the decoder's thread.
     *
     * @throws DecoderFullException when every row is taken or the KV budget cannot hold this request now
     * @throws IllegalArgumentException when the prompt does not fit the context, the request needs more KV
     *     positions than the whole budget, or the adapter belongs to another model
     * @throws IllegalStateException when the adapter was unloaded or the decoder is closed
     */
    public GenerationHandle submit(GenerationRequest request, TokenSink sink) throws DecoderFullException {
        int prompt = request.promptIds().length;
        int context = serving.contextLength();
        if (prompt > context) {
            throw new IllegalArgumentException("the prompt has " + prompt + " tokens, more than the model's context length "
                    + context);
        }
        ServedAdapter adapter = request.adapterOrNull();
        if (serving.merged()) {
            if (adapter != null && adapter != serving.mergedAdapter()) {
                throw new IllegalArgumentException("this model serves " + serving.mergedAdapter().name()
                        + " merged into the base; it cannot answer with " + adapter.name());
            }
            adapter = null;
        } else if (adapter != null && adapter.owner != serving) {
            throw new IllegalArgumentException(adapter + " was loaded by another model");
        }
        int need = Math.min(context, prompt + request.maxNewTokens());
        if (need > options.maxKvTokens()) {
            throw new IllegalArgumentException("the request needs " + need + " KV positions (prompt " + prompt
                    + " + max_tokens " + request.maxNewTokens() + "), more than this decoder's whole budget of "
                    + options.maxKvTokens());
        }
        Row row = new Row(request, adapter, sink, need);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the decoder is closed");
            }
            if (rows >= options.maxBatchRows()) {
                throw new DecoderFullException("all " + options.maxBatchRows() + " rows are generating", retryAfter());
            }
            if (reservedKv + need > options.maxKvTokens()) {
                throw new DecoderFullException("the KV cache budget is taken: " + reservedKv + " of "
                        + options.maxKvTokens() + " positions reserved, this request needs " + need, retryAfter());
            }
            if (adapter != null) {
                adapter.acquire();
            }
            rows++;
            reservedKv += need;
            pending.add(row);
            notifyAll();
        }
        return row;
    }

    /** Seconds until the row closest to its end should be done, at the recent step time. */
    private int retryAfter() {
        return (int) Math.ceil(Math.max(1, soonestDone) * stepSeconds);
    }

    /** Rows decoding or waiting to start. */
    public synchronized int rows() {
        return rows;
    }

    /** The most rows one decode forward has carried so far. */
    public int largestStep() {
        return largestStep;
    }

    /** Decode forwards run so far (prefills not counted). */
    public long steps() {
        return steps;
    }

    /** KV positions reserved now. */
    public synchronized long reservedKvTokens() {
        return reservedKv;
    }

    private void loop() {
        EngineRuntime.setGradMode(false);
        while (true) {
            List<Row> joining = new ArrayList<>();
            synchronized (this) {
                while (!closed && pending.isEmpty() && active.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                joining.addAll(pending);
                pending.clear();
            }
            for (Row row : joining) {
                if (row.cancelled) {
                    end(row, null, new CancellationException("cancelled"));
                    continue;
                }
                try {
                    row.cache = new KvCache(model.layers().size(), row.reserved);
                    row.accept(prefill(row));
                } catch (RuntimeException e) {
                    end(row, null, e);
                    continue;
                }
                if (!row.done) {
                    active.add(row);
                }
            }
            active.removeIf(r -> r.done);
            for (Row row : List.copyOf(active)) {
                if (row.cancelled) {
                    active.remove(row);
                    end(row, null, new CancellationException("cancelled"));
                }
            }
            if (active.isEmpty()) {
                continue;
            }
            long start = System.nanoTime();
            largestStep = Math.max(largestStep, active.size());
            steps++;
            try {
                int[] next = decodeStep(active);
                for (int i = 0; i < next.length; i++) {
                    active.get(i).acceptToken(next[i]);
                }
            } catch (RuntimeException e) {
                for (Row row : active) {
                    if (!row.done) {
                        end(row, null, e);
                    }
                }
            }
            active.removeIf(r -> r.done);
            stepSeconds = 0.8 * stepSeconds + 0.2 * (System.nanoTime() - start) / 1e9;
            soonestDone = active.stream().mapToInt(r -> r.request.maxNewTokens() - r.generated).min().orElse(1);
        }
    }

    /** The prompt of one newcomer through the model with its own adapter; the logits of its last position. */
    private float[] prefill(Row row) {
        int[] ids = row.request.promptIds();
        serving.lock.lock();
        try (Routing single = new Routing(java.util.Collections.singletonList(row.adapter));
             NDScope scope = new NDScope();
             NDManager step = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            serving.slot.current = single;
            NDArray input = step.create(toLong(ids), new Shape(1, ids.length));
            NDArray positions = step.arange(0, ids.length, 1, DataType.INT64).reshape(1, ids.length);
            NDArray mask = AttentionMask.build(step, 1, ids.length, new int[ids.length], 0, new int[0]);
            return model.forwardLast(input, model.context(positions, mask, row.cache)).get(0).toFloatArray();
        } finally {
            serving.slot.current = null;
            serving.lock.unlock();
        }
    }

    /**
     * One forward for every active row (its last token at its own position); the next token of each row. When every
     * row is greedy the argmax runs where the logits are and only the ids come back; otherwise each row's logits come
     * back and it picks its token as {@link Generator} does.
     */
    private int[] decodeStep(List<Row> batch) {
        int b = batch.size();
        long[] ids = new long[b];
        long[] positions = new long[b];
        List<KvCache> caches = new ArrayList<>(b);
        List<ServedAdapter> adapters = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            Row row = batch.get(i);
            ids[i] = row.last;
            positions[i] = row.cache.length();
            caches.add(row.cache);
            adapters.add(row.adapter);
        }
        if (routing == null || !routing.serves(adapters)) {
            if (routing != null) {
                routing.close();
            }
            routing = new Routing(adapters);
        }
        serving.lock.lock();
        try (NDScope scope = new NDScope(); NDManager step = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            serving.slot.current = routing.baseOnly() ? null : routing;
            NDArray input = step.create(ids, new Shape(b, 1));
            NDArray logits = model.forwardLast(input, model.decodeContext(step, positions, caches));
            int[] next = new int[b];
            if (batch.stream().allMatch(r -> r.sampling.isGreedy())) {
                long[] best = logits.argMax(1).toLongArray();
                for (int i = 0; i < b; i++) {
                    next[i] = (int) best[i];
                }
                return next;
            }
            float[] flat = logits.toFloatArray();
            int vocab = flat.length / b;
            for (int i = 0; i < b; i++) {
                next[i] = batch.get(i).pick(java.util.Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab));
            }
            return next;
        } finally {
            serving.slot.current = null;
            serving.lock.unlock();
        }
    }

    private static long[] toLong(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Ends a row: frees its cache and reservation, releases its adapter, tells its sink (error or finish). */
    private void end(Row row, FinishReason reason, Exception error) {
        row.done = true;
        if (row.cache != null) {
            row.cache.close();
            row.cache = null;
        }
        synchronized (this) {
            rows--;
            reservedKv -= row.reserved;
        }
        serving.release(row.adapter);
        try {
            if (error != null) {
                row.sink.onError(error);
            } else {
                row.sink.onFinish(reason, row.request.promptIds().length, row.generated);
            }
        } catch (RuntimeException ignored) {
            // the sink's failure ends only its own request, which has ended already
        }
    }

    /** Stops the thread; requests still running or waiting get an {@link IllegalStateException}. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        try {
            if (Thread.currentThread() != thread) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Row> left = new ArrayList<>(active);
        synchronized (this) {
            left.addAll(pending);
            pending.clear();
        }
        active.clear();
        for (Row row : left) {
            end(row, null, new IllegalStateException("the decoder was closed"));
        }
        if (routing != null) {
            routing.close();
        }
        serving.forget(this);
    }

    /** One request in the batch. */
    private final class Row implements GenerationHandle {

        final GenerationRequest request;
        final ServedAdapter adapter;
        final TokenSink sink;
        final int reserved;
        final SamplingOptions sampling;
        final SplittableRandom random;
        final TextStream text;
        KvCache cache;
        int last;
        int generated;
        boolean done;
        volatile boolean cancelled;

        Row(GenerationRequest request, ServedAdapter adapter, TokenSink sink, int reserved) {
            this.request = request;
            this.adapter = adapter;
            this.sink = sink;
            this.reserved = reserved;
            this.sampling = new SamplingOptions(request.maxNewTokens(), request.temperature(), request.topP(),
                    request.seed(), true);
            this.random = new SplittableRandom(request.seed());
            this.text = new TextStream(serving.tokenizer(), request.promptIds(), request.stop());
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        /** The next token from this row's logits, as {@link Generator} picks and stops. */
        void accept(float[] logits) {
            if (request.maxNewTokens() == 0) {
                end(this, FinishReason.LENGTH, null);
                return;
            }
            acceptToken(pick(logits));
        }

        /** The token this row draws from {@code logits} (greedy, or its seeded sampler). */
        int pick(float[] logits) {
            return sampling.isGreedy() ? Generator.argMax(logits) : Generator.sample(logits, sampling, random);
        }

        /** Emits this row's next token and ends the row when it stops. */
        void acceptToken(int next) {
            generated++;
            last = next;
            try {
                sink.onToken(next);
                if (next == serving.eosId()) {
                    text.finish(sink);
                    finish(FinishReason.STOP);
                } else if (text.add(next, sink)) {
                    finish(FinishReason.STOP);
                } else if (generated >= request.maxNewTokens() || cache.length() + 1 > serving.contextLength()) {
                    finish(text.finish(sink) ? FinishReason.STOP : FinishReason.LENGTH);
                }
            } catch (RuntimeException e) {
                end(this, null, e);
            }
        }

        private void finish(FinishReason reason) {
            end(this, reason, null);
        }
    }
}
