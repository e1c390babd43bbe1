package dev.finetune.serving.runtime;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.finetune.core.security.Caller;
import dev.finetune.engine.serve.Decoder;
import dev.finetune.engine.serve.DecoderFullException;
import dev.finetune.engine.serve.FinishReason;
import dev.finetune.engine.serve.GenerationHandle;
import dev.finetune.engine.serve.GenerationRequest;
import dev.finetune.engine.serve.ServedAdapter;
import dev.finetune.engine.serve.ServingModel;
import dev.finetune.engine.serve.TokenSink;
import dev.finetune.serving.ServingProperties;
import dev.finetune.serving.web.CompletionRequest;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;

/**
 * Starts one completion: resolves the model for the caller's tenant, gets its base (loaded once)
 * and, for an adapter, a lease on it from the {@link AdapterCache}, renders the prompt (chat turns
 * through the base model's chat template, as in training), checks it fits the context, and submits
 * it to the base's continuous-batching decoder. Everything that can be refused is refused here,
 * before a byte of the answer is written: the caller then reads the generation's events. In a
 * merged pool ({@link MergedPool}) the pool says what runs the request instead of the resolver and
 * the cache.
 */
public class Generations {

    private final ModelResolver resolver;
    private final BaseModels bases;
    private final AdapterCache adapters;
    private final ServingProperties properties;
    private final MergedPool merged;

    /**
     * @param merged the merged pool, or null: every model the caller's tenant can call is resolved,
     *        its base loaded and its adapter cached
     */
    public Generations(ModelResolver resolver, BaseModels bases, AdapterCache adapters, ServingProperties properties,
            MergedPool merged) {
        this.resolver = resolver;
        this.bases = bases;
        this.adapters = adapters;
        this.properties = properties;
        this.merged = merged;
    }

    /** What one request runs on: a model and its decoder, the adapter rows name, and what to release at the end. */
    private record Placement(ServedTarget target, ServingModel model, Decoder decoder, ServedAdapter adapter,
            AutoCloseable hold) {}

    /** What the decoder reports, in order: text deltas, then one finish or one failure. */
    public sealed interface Event permits Text, Finished, Failed {}

    public record Text(String delta) implements Event {}

    public record Finished(FinishReason reason, int promptTokens, int completionTokens) implements Event {}

    public record Failed(Exception error) implements Event {}

    /** A generation under way; close it when done (it releases the adapter lease). */
    public static final class Running implements AutoCloseable {
        private final ServedTarget target;
        private final BlockingQueue<Event> events;
        private final AutoCloseable hold;
        private final int promptTokens;
        private GenerationHandle handle;

        Running(ServedTarget target, BlockingQueue<Event> events, AutoCloseable hold, int promptTokens) {
            this.target = target;
            this.events = events;
            this.hold = hold;
            this.promptTokens = promptTokens;
        }

        public ServedTarget target() {
            return target;
        }

        public int promptTokens() {
            return promptTokens;
        }

        public Event next() throws InterruptedException {
            return events.take();
        }

        /** Stops decoding (the client went away). */
        public void cancel() {
            if (handle != null) {
                handle.cancel();
            }
        }

        @Override
        public void close() {
            release(hold);
        }
    }

    private static void release(AutoCloseable hold) {
        if (hold != null) {
            try {
                hold.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing " + hold + " failed", e);
            }
        }
    }

    private Placement place(Caller caller, String model) {
        if (merged != null) {
            MergedPool.Hold hold = merged.acquire(caller.tenant(), model);
            return new Placement(hold.target(), hold.model(), hold.decoder(), hold.adapter(), hold);
        }
        ServedTarget target = resolver.resolve(caller.tenant(), model);
        BaseModels.Loaded base = bases.get(target.base(), bases.precisionFor(target));
        AdapterCache.Lease lease = target.isAdapter() ? adapters.acquire(caller.tenant(), target, base) : null;
        return new Placement(target, base.model(), base.decoder(), lease == null ? null : lease.adapter(), lease);
    }

    public Running start(Caller caller, CompletionRequest request) {
        Placement placement = place(caller, request.model());
        ServedTarget target = placement.target();
        try {
            ServingModel model = placement.model();
            String promptParam = request.chat() ? "messages" : "prompt";
            int[] prompt;
            try {
                prompt = request.chat() ? model.encodeChat(request.messages()) : model.encodePrompt(request.prompt());
            } catch (IllegalArgumentException e) {
                throw ServingException.invalid(promptParam, "the " + promptParam + " cannot be encoded for '"
                        + target.base().name() + "': " + e.getMessage());
            }
            // what one request may ever hold: the model's context, and the decoder's whole KV budget (a request
            // larger than that would never fit, so it is refused as too long, not told to retry)
            int context = Math.min(model.contextLength(), properties.decoder().maxKvTokens());
            if (prompt.length >= context) {
                throw new ServingException(ServingError.CONTEXT_LENGTH_EXCEEDED, "the " + promptParam + " has "
                        + prompt.length + " tokens; '" + target.base().name() + "' reads at most " + context
                        + " tokens here, prompt and completion together", promptParam);
            }
            int room = context - prompt.length;
            int maxTokens;
            if (request.maxTokens() == null) {
                maxTokens = Math.min(properties.defaultMaxTokens(), room);
            } else if (request.maxTokens() > room) {
                throw new ServingException(ServingError.CONTEXT_LENGTH_EXCEEDED, "max_tokens is " + request.maxTokens()
                        + " but only " + room + " tokens are left after the " + prompt.length + "-token " + promptParam
                        + " ('" + target.base().name() + "' reads at most " + context + " tokens here)", "max_tokens");
            } else {
                maxTokens = request.maxTokens();
            }
            BlockingQueue<Event> events = new LinkedBlockingQueue<>();
            Running running = new Running(target, events, placement.hold(), prompt.length);
            GenerationRequest generation = new GenerationRequest(prompt, placement.adapter(), maxTokens,
                    request.temperature(), request.topP(), request.seed(), request.stop());
            try {
                running.handle = placement.decoder().submit(generation, new TokenSink() {
                    @Override
                    public void onText(String delta) {
                        events.add(new Text(delta));
                    }

                    @Override
                    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
                        events.add(new Finished(reason, promptTokens, completionTokens));
                    }

                    @Override
                    public void onError(Exception error) {
                        events.add(new Failed(error));
                    }
                });
            } catch (DecoderFullException e) {
                throw new ServingException(ServingError.DECODER_FULL, "the decoder of '" + target.base().name()
                        + "' is full (its KV memory holds " + properties.decoder().maxKvTokens() + " tokens across "
                        + properties.decoder().maxBatchRows() + " rows); try again after " + e.retryAfterSeconds()
                        + " s", null, Math.max(1, e.retryAfterSeconds()), e);
            }
            return running;
        } catch (RuntimeException e) {
            release(placement.hold());
            throw e;
        }
    }
}
