package dev.finetune.serving.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.Tenant;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.tenant.TenantRepository;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.serve.Decoder;
import dev.finetune.engine.serve.DecoderOptions;
import dev.finetune.engine.serve.ServedAdapter;
import dev.finetune.engine.serve.ServingModel;
import dev.finetune.registry.AdapterRef;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.serving.ServingProperties;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;
import dev.finetune.settings.FineTuningMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A merged pool ({@code finetune.serving.merged.model}): one adapter of one tenant folded into a
 * dense copy of its base ({@link ServingModel#loadMerged}), answering that model alone at the
 * base's speed.
 *
 * <ul>
 *   <li><b>What answers:</b> the pinned name ({@code support@production}) and the name of the
 *       version merged now ({@code support/3}), for keys of the pinned tenant. Any other name, or a
 *       key of another tenant, is a 409 {@code model_not_in_merged_pool} that names the pool's model
 *       (to its own tenant only), never another model's answer.</li>
 *   <li><b>Alias moves:</b> the alias is read every {@code merged.check-interval}; a move loads the
 *       new version merged into a fresh copy of the base in the background while the current one
 *       keeps answering (each answer names its version), then new requests switch to it; requests
 *       in flight finish on the old copy, which is closed when the last one ends. A version that
 *       cannot be merged is not retried until the alias moves again: meanwhile the alias name is a
 *       503 {@code merged_model_unavailable} saying why (never the stale version under the alias's
 *       name), and the old version still answers to its own name {@code segment/N}.</li>
 *   <li><b>Start:</b> the tenant, the name, the base (among {@code base-models} when they are set),
 *       the method and the weights are checked, and the merge done, before the process takes a
 *       request; any failure stops the start with a message naming the setting at fault.</li>
 *   <li><b>QLoRA:</b> the NF4 base a QLoRA adapter was trained on cannot hold a merge exactly, so a
 *       QLoRA version is refused unless {@code qlora-base: dense}, which merges it into the dense
 *       base (as a shared pool with that setting answers it). Bottleneck adapters cannot be merged:
 *       the engine's refusal is the message.</li>
 * </ul>
 */
public class MergedPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MergedPool.class);

    private final TenantRepository tenants;
    private final BaseModelRepository bases;
    private final AdapterRegistry registry;
    private final ArtifactStore store;
    private final ServingProperties properties;
    private final ServingProperties.Merged settings;
    private final Path workDir;
    private final List<Copy> retired = new ArrayList<>();
    private TenantId tenant;
    private AdapterRef ref;
    private volatile Copy current;
    private volatile Refusal refusal;
    /** A version whose merge failed for a passing reason (storage, database): not tried again before then. */
    private volatile Retry retry;
    private ScheduledExecutorService watcher;
    private boolean closed;

    /** One version merged into its own copy of the base, with its decoder and the requests holding it. */
    private static final class Copy {
        final AdapterVersion version;
        final BaseModel base;
        final ServingModel model;
        final Decoder decoder;
        final Path adapterDir;
        int holds;

        Copy(AdapterVersion version, BaseModel base, ServingModel model, Decoder decoder, Path adapterDir) {
            this.version = version;
            this.base = base;
            this.model = model;
            this.decoder = decoder;
            this.adapterDir = adapterDir;
        }
    }

    /** The alias points at a version that could not be merged. */
    private record Refusal(String versionRef, String reason) {}

    private record Retry(String versionRef, long notBefore) {}

    /** How long a merge that failed for a passing reason waits before it is tried again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    /** What one request runs on; {@link #close()} when it ends. */
    public final class Hold implements AutoCloseable {
        private final Copy copy;
        private final ServedTarget target;
        private boolean released;

        private Hold(Copy copy, ServedTarget target) {
            this.copy = copy;
            this.target = target;
        }

        public ServedTarget target() {
            return target;
        }

        public ServingModel model() {
            return copy.model;
        }

        public Decoder decoder() {
            return copy.decoder;
        }

        public ServedAdapter adapter() {
            return copy.model.mergedAdapter();
        }

        @Override
        public void close() {
            boolean last;
            synchronized (MergedPool.this) {
                if (released) {
                    return;
                }
                released = true;
                copy.holds--;
                last = copy.holds == 0 && retired.remove(copy);
            }
            if (last) {
                closeCopy(copy); // outside the lock, as in checkAlias
            }
        }
    }

    public MergedPool(TenantRepository tenants, BaseModelRepository bases, AdapterRegistry registry, ArtifactStore store,
            ServingProperties properties) {
        this.tenants = tenants;
        this.bases = bases;
        this.registry = registry;
        this.store = store;
        this.properties = properties;
        this.settings = properties.merged();
        this.workDir = properties.workDir().resolve("merged");
        if (!settings.enabled()) {
            throw new IllegalArgumentException("finetune.serving.merged.model is not set: this process is no merged pool");
        }
    }

    /** Resolves the pinned model, merges it, and (for an alias) starts watching the alias. */
    public void start() {
        Tenant owner = findTenant(settings.tenant()).orElseThrow(() -> new IllegalStateException(
                "finetune.serving.merged.tenant is '" + settings.tenant() + "', which is no tenant (give its name or id)"));
        tenant = owner.id();
        ref = AdapterRef.parse(settings.model());
        AdapterVersion version;
        try {
            version = registry.resolve(tenant, ref, null).version();
        } catch (PlatformProblem p) {
            if (p.kind() == ProblemKind.NOT_FOUND) {
                throw new IllegalStateException("finetune.serving.merged.model is '" + settings.model() + "', which tenant '"
                        + owner.name() + "' does not have: " + p.detail(), p);
            }
            throw p;
        }
        try {
            current = merge(version);
        } catch (ServingException e) {
            throw new IllegalStateException("finetune.serving.merged.model '" + settings.model() + "' of tenant '"
                    + owner.name() + "' cannot be served merged: " + e.getMessage(), e);
        }
        if (ref.alias() != null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "merged-pool-alias-watch");
                t.setDaemon(true);
                return t;
            });
            long every = settings.checkInterval().toMillis();
            watcher.scheduleWithFixedDelay(this::checkAlias, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private java.util.Optional<Tenant> findTenant(String nameOrId) {
        try {
            return tenants.find(new TenantId(UUID.fromString(nameOrId)));
        } catch (IllegalArgumentException notAnId) {
            return tenants.findByName(nameOrId);
        }
    }

    /**
     * What a request naming {@code requested} runs on, held until the request ends.
     *
     * @throws ServingException 409 {@code model_not_in_merged_pool} for any other model or tenant;
     *     503 {@code merged_model_unavailable} when the pinned alias points at a version that could not be merged
     */
    public Hold acquire(TenantId caller, String requested) {
        synchronized (this) {
            Copy copy = current;
            if (closed || copy == null) {
                throw new ServingException(ServingError.SERVING_STARTING, "the merged pool is not serving", null);
            }
            if (!serves(caller, requested, copy)) {
                throw notInPool(caller, requested, copy);
            }
            Refusal r = refusal;
            if (r != null && !requested.equals(copy.version.ref())) {
                throw new ServingException(ServingError.MERGED_MODEL_UNAVAILABLE, settings.model() + " now points at "
                        + r.versionRef() + ", which this merged pool cannot serve: " + r.reason() + ". It still holds "
                        + copy.version.ref() + " (call that name for it); move the alias back or to a mergeable version",
                        "model", (int) Math.max(1, settings.checkInterval().toSeconds()), null);
            }
            copy.holds++;
            return new Hold(copy, ServedTarget.version(requested, copy.base, copy.version,
                    requested.equals(settings.model()) ? ref.alias() : null));
        }
    }

    private boolean serves(TenantId caller, String requested, Copy copy) {
        return tenant.equals(caller) && (requested.equals(settings.model()) || requested.equals(copy.version.ref()));
    }

    private ServingException notInPool(TenantId caller, String requested, Copy copy) {
        String message = tenant.equals(caller)
                ? "this serving pool answers only " + describe(copy) + ", merged into its base; '" + requested
                        + "' is served by the shared serving pool"
                : "this serving pool answers one model of another tenant only; '" + requested
                        + "' is served by the shared serving pool";
        return new ServingException(ServingError.MODEL_NOT_IN_MERGED_POOL, message, "model");
    }

    private String describe(Copy copy) {
        return ref.alias() != null ? "'" + settings.model() + "' (now " + copy.version.ref() + ")" : "'" + settings.model() + "'";
    }

    /** The names this pool answers for {@code caller}: the pinned name, then the version merged now (if it differs). */
    public List<ModelResolver.Listed> list(TenantId caller) {
        Copy copy = current;
        if (copy == null || !tenant.equals(caller)) {
            return List.of();
        }
        List<ModelResolver.Listed> out = new ArrayList<>();
        for (String name : ref.alias() != null ? List.of(settings.model(), copy.version.ref()) : List.of(settings.model())) {
            out.add(new ModelResolver.Listed(name, copy.version.createdAt(), copy.version.segment(), copy.base.name(),
                    copy.version.ref()));
        }
        return out;
    }

    /** One of {@link #list}, or the refusal a completion naming it would get. */
    public ModelResolver.Listed describe(TenantId caller, String requested) {
        Copy copy = current;
        if (copy == null) {
            throw new ServingException(ServingError.SERVING_STARTING, "the merged pool is not serving", null);
        }
        if (!serves(caller, requested, copy)) {
            throw notInPool(caller, requested, copy);
        }
        return list(caller).stream().filter(l -> l.id().equals(requested)).findFirst().orElseThrow();
    }

    /** The version merged now (tests, logs). */
    public AdapterVersion version() {
        return current.version;
    }

    /** Reads the alias; a move merges the new version in the background (this thread), then switches. */
    void checkAlias() {
        AdapterVersion now;
        try {
            now = registry.resolve(tenant, ref, null).version();
        } catch (PlatformProblem p) {
            if (p.kind() == ProblemKind.NOT_FOUND) {
                refusal = new Refusal("nothing", "the alias no longer exists (" + p.detail() + ")");
            } else {
                log.warn("Merged pool: cannot read {} now ({}); serving {} until it can", settings.model(), p.getMessage(),
                        current.version.ref());
            }
            return;
        } catch (RuntimeException e) {
            log.warn("Merged pool: cannot read {} now ({}); serving {} until it can", settings.model(), e.toString(),
                    current.version.ref());
            return;
        }
        Copy copy = current;
        if (now.ref().equals(copy.version.ref())) {
            refusal = null;
            return;
        }
        Refusal r = refusal;
        if (r != null && r.versionRef().equals(now.ref())) {
            return; // already refused; tried again when the alias moves
        }
        Retry wait = retry;
        if (wait != null && wait.versionRef().equals(now.ref()) && System.nanoTime() < wait.notBefore()) {
            return;
        }
        long started = System.nanoTime();
        log.info("Merged pool: {} moved from {} to {}; merging {} in the background", settings.model(),
                copy.version.ref(), now.ref(), now.ref());
        Copy next;
        try {
            next = merge(now);
        } catch (ServingException e) {
            // the version itself cannot be merged here (its files, its base, its method): that will not change
            log.warn("Merged pool: {} now points at {}, which cannot be merged: {}", settings.model(), now.ref(),
                    e.getMessage());
            refusal = new Refusal(now.ref(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            // storage or the database failed on the way: keep answering the old version, try again at the next check
            log.warn("Merged pool: cannot merge {} for {} now ({}); serving {} and trying again in {} s", now.ref(),
                    settings.model(), e.toString(), copy.version.ref(), RETRY_AFTER.toSeconds());
            retry = new Retry(now.ref(), System.nanoTime() + RETRY_AFTER.toNanos());
            return;
        }
        Copy idle = null;
        synchronized (this) {
            if (closed) {
                idle = next;
            } else {
                Copy old = current;
                current = next;
                refusal = null;
                retry = null;
                if (old.holds == 0) {
                    idle = old;
                } else {
                    retired.add(old);
                }
            }
        }
        if (idle != null) {
            closeCopy(idle); // outside the lock: joining a decoder and deleting files must not hold up requests
        }
        if (idle == next) {
            return;
        }
        log.info("Merged pool: {} answers {} now (merged in {} ms)", settings.model(), now.ref(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Copies the base and the version's files, checks they fit, and folds the adapter into the base. */
    private Copy merge(AdapterVersion v) {
        BaseModel base = bases.findVisible(tenant, new BaseModelId(v.baseModelId())).orElseThrow(() -> new ServingException(
                ServingError.BASE_MODEL_NOT_SERVED, v.ref() + " was trained on base model '" + v.baseModelName()
                        + "', which no longer exists", "model"));
        if (!properties.serves(base.name())) {
            throw new ServingException(ServingError.BASE_MODEL_NOT_SERVED, v.ref() + " was trained on base model '"
                    + base.name() + "', which finetune.serving.base-models " + properties.baseModels() + " leaves out", "model");
        }
        if (v.method() == FineTuningMethod.QLORA && properties.qloraBase().equals("nf4")) {
            throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, v.ref() + " is a QLoRA adapter, trained on the "
                    + "4-bit NF4 base, which cannot hold a merge exactly; set finetune.serving.qlora-base=dense to merge it "
                    + "into the dense base (its answers then differ slightly from the NF4 evaluation), or serve it from a "
                    + "shared pool", "model");
        }
        Path baseDir = workDir.resolve("bases").resolve(base.id().toString());
        if (!java.nio.file.Files.isDirectory(baseDir) && LocalFiles.copy(store, base.objectPrefix(), baseDir) == 0) {
            throw new ServingException(ServingError.BASE_MODEL_NOT_SERVED, "the base model '" + base.name()
                    + "' has no files in object storage under " + base.objectPrefix(), "model");
        }
        Path adapterDir = workDir.resolve("adapters").resolve(v.segment() + "-" + v.number() + "-" + System.nanoTime());
        ServingModel model = null;
        try {
            if (LocalFiles.copy(store, v.artifact().prefix(), adapterDir) == 0) {
                throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, v.ref() + "'s files are missing from object "
                        + "storage (" + v.artifact().prefix() + ")", "model");
            }
            try {
                model = ServingModel.loadMerged(baseDir, adapterDir, properties.device());
            } catch (AdapterLoadException e) {
                throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, v.ref() + " cannot be merged into '"
                        + base.name() + "': " + e.getMessage(), "model", null, e);
            }
            BaseWeightsCheck.requireTrainedOn(settings.model(), v, base.name(), model.baseFingerprint());
            Decoder decoder = model.decoder(new DecoderOptions(properties.decoder().maxBatchRows(),
                    properties.decoder().maxKvTokens()));
            log.info("Merged pool: {} ({}) merged into '{}' on {}", v.ref(), v.method(), base.name(), properties.device());
            return new Copy(v, base, model, decoder, adapterDir);
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            LocalFiles.deleteRecursively(adapterDir);
            throw e;
        }
    }

    private static void closeCopy(Copy copy) {
        try {
            copy.decoder.close();
        } catch (RuntimeException e) {
            log.warn("closing the decoder of merged {}: {}", copy.version.ref(), e.toString());
        }
        copy.model.close();
        LocalFiles.deleteRecursively(copy.adapterDir);
        log.info("Merged pool: closed the copy of the base holding {}", copy.version.ref());
    }

    /** Copies of the base open now: the current one and those still finishing requests (tests). */
    public synchronized int openCopies() {
        return (current == null ? 0 : 1) + retired.size();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            try {
                watcher.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closed = true;
            if (current != null) {
                closeCopy(current);
                current = null;
            }
            retired.forEach(MergedPool::closeCopy);
            retired.clear();
        }
    }
}
