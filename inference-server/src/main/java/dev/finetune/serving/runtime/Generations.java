package dev.finetune.serving.runtime;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.finetune.core.security.Caller;
import dev.finetune.engine.serve.DecoderFullException;
import dev.finetune.engine.serve.FinishReason;
import dev.finetune.engine.serve.GenerationHandle;
import dev.finetune.engine.serve.GenerationRequest;
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
 * before a byte of the answer is written: the caller then reads the generation's events.
 */
public class Generations {

    private final ModelResolver resolver;
    private final BaseModels bases;
    private final AdapterCache adapters;
    private final ServingProperties properties;

    public Generations(ModelResolver resolver, BaseModels bases, AdapterCache adapters, ServingProperties properties) {
        this.resolver = resolver;
        this.bases = bases;
        this.adapters = adapters;
        this.properties = properties;
    }

    /** What the decoder reports, in order: text deltas, then one finish or one failure. */
    public sealed interface Event permits Text, Finished, Failed {}

    public record Text(String delta) implements Event {}

    public record Finished(FinishReason reason, int promptTokens, int completionTokens) implements Event {}

    public record Failed(Exception error) implements Event {}

    /** A generation under way; close it when done (it releases the adapter lease). */
    public static final class Running implements AutoCloseable {
        private final ServedTarget target;
        private final BlockingQueue<Event> events;
        private final AdapterCache.Lease lease;
        private final int promptTokens;
        private GenerationHandle handle;

        Running(ServedTarget target, BlockingQueue<Event> events, AdapterCache.Lease lease, int promptTokens) {
            this.target = target;
            this.events = events;
            this.lease = lease;
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
            if (lease != null) {
                lease.close();
            }
        }
    }

    public Running start(Caller caller, CompletionRequest request) {
        ServedTarget target = resolver.resolve(caller.tenant(), request.model());
        BaseModels.Loaded base = bases.get(target.base(), bases.precisionFor(target));
        AdapterCache.Lease lease = target.isAdapter() ? adapters.acquire(caller.tenant(), target, base) : null;
        try {
            ServingModel model = base.model();
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
            Running running = new Running(target, events, lease, prompt.length);
            GenerationRequest generation = new GenerationRequest(prompt, lease == null ? null : lease.adapter(), maxTokens,
                    request.temperature(), request.topP(), request.seed(), request.stop());
            try {
                running.handle = base.decoder().submit(generation, new TokenSink() {
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
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }
}
