package dev.finetune.serving.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
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
 * {@code fine_tuned_model} (which is {@code segment/N}). Adapters resolve through
 * {@link AdapterRegistry#resolve}, so another tenant's segment is simply not found.
 *
 * <p>A resolution is reused for {@link ServingProperties#resolutionTtl()} (default 2 s): an alias
 * move reaches new requests within that time, without a database round trip per request. A
 * request holds the version it resolved until it ends, so requests in flight finish on it.
 */
public class ModelResolver {

    private final BaseModelRepository bases;
    private final AdapterRegistry registry;
    private final ServingProperties properties;
    private final Clock clock;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    private record Key(TenantId tenant, String model) {}

    private record Cached(ServedTarget target, Instant until) {}

    public ModelResolver(BaseModelRepository bases, AdapterRegistry registry, ServingProperties properties, Clock clock) {
        this.bases = bases;
        this.registry = registry;
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
            return new ServedTarget(model, base.get(), null, null);
        }
        AdapterRef ref;
        try {
            ref = AdapterRef.parse(model);
        } catch (IllegalArgumentException e) {
            throw notFound(model, "the model '" + model + "' does not exist: name a base model, 'segment@alias' "
                    + "(e.g. support@production) or 'segment/N' (a version, as a job's fine_tuned_model)");
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
        BaseModel adapterBase = bases.findVisible(tenant, new BaseModelId(v.baseModelId()))
                .orElseThrow(() -> new ServingException(ServingError.BASE_MODEL_NOT_SERVED, model + " is version "
                        + v.ref() + ", trained on base model '" + v.baseModelName() + "', which no longer exists", "model"));
        if (!properties.serves(adapterBase.name())) {
            throw new ServingException(ServingError.BASE_MODEL_NOT_SERVED, model + " is version " + v.ref()
                    + ", trained on base model '" + adapterBase.name() + "', which this server does not serve (it serves "
                    + properties.baseModels() + ")", "model");
        }
        return new ServedTarget(model, adapterBase, v, ref.alias());
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
