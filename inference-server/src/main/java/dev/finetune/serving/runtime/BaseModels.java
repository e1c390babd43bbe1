package dev.finetune.serving.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import dev.finetune.core.model.BaseModel;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.engine.serve.BasePrecision;
import dev.finetune.engine.serve.Decoder;
import dev.finetune.engine.serve.DecoderOptions;
import dev.finetune.engine.serve.ServingModel;
import dev.finetune.serving.ServingProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base models of this process: each (model, precision) is copied from object storage and
 * loaded once, on first use (or at start with {@code finetune.serving.preload}), with one
 * continuous-batching {@link Decoder} whose KV memory is bounded by
 * {@code finetune.serving.decoder.max-kv-tokens}. Concurrent first requests wait for the one load.
 */
public class BaseModels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BaseModels.class);

    private final ArtifactStore store;
    private final ServingProperties properties;
    private final Map<Key, CompletableFuture<Loaded>> loaded = new ConcurrentHashMap<>();

    private record Key(UUID baseModelId, BasePrecision precision) {}

    /** A base model in memory and its decoder. */
    public record Loaded(BaseModel base, BasePrecision precision, ServingModel model, Decoder decoder) {}

    public BaseModels(ArtifactStore store, ServingProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    /** The precision an answer of {@code target} runs at: NF4 for a QLoRA adapter (unless set to dense), else dense. */
    public BasePrecision precisionFor(ServedTarget target) {
        return target.isQlora() && properties.qloraBase().equals("nf4") ? BasePrecision.NF4 : BasePrecision.DENSE;
    }

    public Loaded get(BaseModel base, BasePrecision precision) {
        Key key = new Key(base.id().value(), precision);
        CompletableFuture<Loaded> mine = new CompletableFuture<>();
        CompletableFuture<Loaded> existing = loaded.putIfAbsent(key, mine);
        if (existing == null) {
            try {
                mine.complete(load(base, precision));
            } catch (RuntimeException | Error e) {
                loaded.remove(key, mine);
                mine.completeExceptionally(e);
            }
            existing = mine;
        }
        try {
            return existing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the base model '" + base.name() + "' was loading", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The base models loaded now (metrics, tests). */
    public List<Loaded> loaded() {
        return loaded.values().stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).map(CompletableFuture::join)
                .toList();
    }

    private Loaded load(BaseModel base, BasePrecision precision) {
        Path dir = properties.workDir().resolve("bases").resolve(base.id().toString());
        long started = System.nanoTime();
        long bytes = LocalFiles.copy(store, base.objectPrefix(), dir);
        if (bytes == 0) {
            throw new PlatformProblem(ProblemKind.INVALID_BASE_MODEL, "the base model '" + base.name()
                    + "' has no files in object storage under " + base.objectPrefix());
        }
        ServingModel model;
        try {
            model = ServingModel.load(dir, precision, properties.device());
        } catch (RuntimeException e) {
            log.warn("Base model '{}' from {} cannot be loaded", base.name(), dir, e);
            throw new PlatformProblem(ProblemKind.INVALID_BASE_MODEL, "the base model '" + base.name()
                    + "' cannot be loaded: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        Decoder decoder = model.decoder(new DecoderOptions(properties.decoder().maxBatchRows(),
                properties.decoder().maxKvTokens()));
        log.info("Loaded base model '{}' ({}, {} bytes) on {} in {} ms", base.name(), precision, bytes, properties.device(),
                (System.nanoTime() - started) / 1_000_000);
        return new Loaded(base, precision, model, decoder);
    }

    @Override
    public void close() {
        for (CompletableFuture<Loaded> f : loaded.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                Loaded l = f.join();
                try {
                    l.decoder().close();
                } catch (Exception e) {
                    log.warn("closing the decoder of '{}': {}", l.base().name(), e.toString());
                }
                try {
                    l.model().close();
                } catch (Exception e) {
                    log.warn("closing the base model '{}': {}", l.base().name(), e.toString());
                }
            }
        }
        loaded.clear();
    }
}
