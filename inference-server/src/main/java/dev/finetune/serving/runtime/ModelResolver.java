package dev.finetune.serving.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.registry.AdapterRef;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.AdapterVersion;
import dev.finetune.registry.Page;
import dev.finetune.registry.RepositorySummary;
import dev.finetune.registry.ResolvedAdapter;
import dev.finetune.registry.VersionQuery;
import dev.finetune.serving.ServingProperties;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;

/**
 * Resolves a request's {@code model} within the caller's tenant: a base model's name (the tenant's
 * own, else a global one), {@code segment@alias}, {@code segment/N}, or a job's
 * {@code fine_tuned_model} (which is {@code segment/N}), or a job's checkpoint
 * {@code <job id>:step-<n>} (the API's {@code fine_tuned_model_checkpoint}). Adapters resolve through
 * {@link AdapterRegistry#resolve} and checkpoints through the tenant's own jobs, so another tenant's
 * segment or job is simply not found.
 *
 * <p>A resolution is reused for {@link ServingProperties#resolutionTtl()} (default 2 s): an alias
 * move reaches new requests within that time, without a database round trip per request. A
 * request holds the version it resolved until it ends, so requests in flight finish on it.
 */
public class ModelResolver {

    private final BaseModelRepository bases;
    private final AdapterRegistry registry;
    private final Jobs jobs;
    private final ServingProperties properties;
    private final Clock clock;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    private record Key(TenantId tenant, String model) {}

    private record Cached(ServedTarget target, Instant until) {}

    /** Where a checkpoint's job, row, segment and adapter files are read. */
    public record Jobs(FineTuningJobRepository jobs, JobCheckpointRepository checkpoints, SegmentRepository segments,
            ArtifactStore store) {}

    public ModelResolver(BaseModelRepository bases, AdapterRegistry registry, Jobs jobs, ServingProperties properties,
            Clock clock) {
        this.bases = bases;
        this.registry = registry;
        this.jobs = jobs;
        this.properties = properties;
        this.clock = clock;
    }

    public ServedTarget resolve(TenantId tenant, String model) {
        Key key = new Key(tenant, model);
        Instant now = clock.instant();
        Cached hit = cache.get(key);
        if (hit != null && hit.until().isAfter(now)) {
            return hit.target();
        }
        ServedTarget target = resolveNow(tenant, model);
        if (!properties.resolutionTtl().isZero()) {
            if (cache.size() > 10_000) {
                cache.entrySet().removeIf(e -> !e.getValue().until().isAfter(now));
            }
            cache.put(key, new Cached(target, now.plus(properties.resolutionTtl())));
        }
        return target;
    }

    private ServedTarget resolveNow(TenantId tenant, String model) {
        Optional<BaseModel> base = bases.findVisible(tenant, model);
        if (base.isPresent()) {
            if (!properties.serves(base.get().name())) {
                throw notFound(model, "base model '" + model + "' is not served here (this server serves "
                        + properties.baseModels() + ")");
            }
            return ServedTarget.base(model, base.get());
        }
        Optional<CheckpointRef> checkpoint = CheckpointRef.parse(model);
        if (checkpoint.isPresent()) {
            return checkpoint(tenant, model, checkpoint.get());
        }
        AdapterRef ref;
        try {
            ref = AdapterRef.parse(model);
        } catch (IllegalArgumentException e) {
            throw notFound(model, "the model '" + model + "' does not exist: name a base model, 'segment@alias' "
                    + "(e.g. support@production), 'segment/N' (a version, as a job's fine_tuned_model) or '<job id>:step-<n>' "
                    + "(a checkpoint, as a job checkpoint's fine_tuned_model_checkpoint)");
        }
        ResolvedAdapter resolved;
        try {
            resolved = registry.resolve(tenant, ref, null);
        } catch (PlatformProblem p) {
            if (p.kind() == ProblemKind.NOT_FOUND) {
                throw notFound(model, "the model '" + model + "' does not exist: " + p.detail());
            }
            throw p;
        }
        AdapterVersion v = resolved.version();
        BaseModel adapterBase = servedBase(tenant, model + " is version " + v.ref(), new BaseModelId(v.baseModelId()),
                v.baseModelName());
        return ServedTarget.version(model, adapterBase, v, ref.alias());
    }

    /**
     * A checkpoint of one of the tenant's jobs: the adapter the worker saved beside its training
     * state. Another tenant's job, an unknown job and an unknown step are all simply not found.
     */
    private ServedTarget checkpoint(TenantId tenant, String model, CheckpointRef ref) {
        FineTuningJob job = jobs.jobs().find(tenant, ref.job()).orElseThrow(() -> notFound(model, "the model '" + model
                + "' does not exist: there is no fine-tuning job " + ref.job() + " in this organization"));
        List<JobCheckpoint> rows = jobs.checkpoints().findByIdJobIdOrderByIdStepAsc(job.id().value());
        JobCheckpoint row = rows.stream().filter(c -> c.step() == ref.step()).findFirst().orElseThrow(() -> notFound(model,
                "the model '" + model + "' does not exist: job " + job.id() + " has no checkpoint at step " + ref.step()
                        + (rows.isEmpty() ? " (it has no checkpoint yet)"
                                : " (its checkpoints are at steps " + rows.get(0).step() + " to " + rows.get(rows.size() - 1).step()
                                        + ", e.g. " + new CheckpointRef(job.id(), rows.get(rows.size() - 1).step()).name() + ")")));
        String what = model + " is checkpoint " + ref.name() + " of a " + job.method().wireName() + " job";
        BaseModel base = servedBase(tenant, what, job.baseModelId(), job.baseModelId().toString());
        String prefix = ObjectKeys.checkpointAdapterPrefix(tenant, job.id(), ref.step());
        List<ObjectInfo> files = jobs.store().list(prefix);
        if (files.isEmpty()) {
            // never the base instead: a checkpoint without an adapter is a named error
            throw new ServingException(ServingError.ADAPTER_LOAD_FAILED, what + ", which holds only its training state "
                    + "and no adapter files (it was written before checkpoints carried their adapter): call the job's "
                    + "fine_tuned_model or a newer checkpoint, or start a job from it (from_checkpoint)", "model");
        }
        String segment = jobs.segments().find(tenant, job.segmentId()).map(s -> s.name().value()).orElse("organization");
        return ServedTarget.checkpoint(model, base, new ServedCheckpoint(ref, segment, job.method(), prefix,
                files.stream().mapToLong(ObjectInfo::size).sum(), row.createdAt()));
    }

    /** The base an adapter was trained on, if it still exists and is served here; a 409 naming why not. */
    private BaseModel servedBase(TenantId tenant, String what, BaseModelId id, String recordedName) {
        BaseModel base = bases.findVisible(tenant, id).orElseThrow(() -> new ServingException(
                ServingError.BASE_MODEL_NOT_SERVED, what + ", trained on base model '" + recordedName
                        + "', which no longer exists", "model"));
        if (!properties.serves(base.name())) {
            throw new ServingException(ServingError.BASE_MODEL_NOT_SERVED, what + ", trained on base model '"
                    + base.name() + "', which this server does not serve (it serves " + properties.baseModels() + ")",
                    "model");
        }
        return base;
    }

    private static ServingException notFound(String model, String message) {
        return new ServingException(ServingError.MODEL_NOT_FOUND, message, "model");
    }

    /** One entry of {@code GET /v1/models}. */
    public record Listed(String id, Instant created, String ownedBy, String baseModel, String version) {}

    /**
     * What the tenant can call here: the served base models it can see, then for each of its
     * segments every alias ({@code segment@alias}) and every version ({@code segment/N}) trained on a
     * served base model, archived versions included (they still resolve).
     */
    public List<Listed> list(TenantId tenant) {
        List<Listed> out = new ArrayList<>();
        Map<java.util.UUID, BaseModel> visible = new java.util.HashMap<>();
        for (BaseModel b : bases.listVisibleTo(tenant)) {
            visible.putIfAbsent(b.id().value(), b);
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (BaseModel b : visible.values().stream().sorted(java.util.Comparator.comparing(BaseModel::name)).toList()) {
            // a tenant's own model shadows a global one of the same name, as findVisible does
            BaseModel chosen = bases.findVisible(tenant, b.name()).orElse(b);
            if (properties.serves(chosen.name()) && names.add(chosen.name())) {
                out.add(new Listed(chosen.name(), chosen.createdAt(), chosen.isGlobal() ? "system" : "organization",
                        chosen.name(), null));
            }
        }
        String cursor = null;
        do {
            Page<RepositorySummary> page = registry.repositories(tenant, cursor, Page.MAX_LIMIT);
            for (RepositorySummary repo : page.items()) {
                List<AdapterVersion> versions = versions(tenant, repo);
                Map<Integer, AdapterVersion> byNumber = new java.util.HashMap<>();
                versions.forEach(v -> byNumber.put(v.number(), v));
                repo.aliases().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> {
                    AdapterVersion v = byNumber.get(a.getValue());
                    if (v != null && servedBase(visible, v) != null) {
                        out.add(new Listed(repo.segment() + "@" + a.getKey(), v.createdAt(), repo.segment(),
                                servedBase(visible, v).name(), v.ref()));
                    }
                });
                for (AdapterVersion v : versions) {
                    if (servedBase(visible, v) != null) {
                        out.add(new Listed(v.ref(), v.createdAt(), repo.segment(), servedBase(visible, v).name(), v.ref()));
                    }
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

    private BaseModel servedBase(Map<java.util.UUID, BaseModel> visible, AdapterVersion v) {
        BaseModel b = visible.get(v.baseModelId());
        return b != null && properties.serves(b.name()) ? b : null;
    }

    private List<AdapterVersion> versions(TenantId tenant, RepositorySummary repo) {
        List<AdapterVersion> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<AdapterVersion> page = registry.search(tenant,
                    VersionQuery.of(new dev.finetune.core.tenant.SegmentName(repo.segment())).withArchived(), cursor,
                    Page.MAX_LIMIT);
            out.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

    /** Forgets every cached resolution (tests; an operator's immediate switch). */
    public void clear() {
        cache.clear();
    }
}
