package dev.finetune.registry;

import java.util.List;

import dev.finetune.core.common.Checks;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;

/**
 * The model registry's facade: the only way other modules (the API, the worker) use it. Every
 * method takes the caller's tenant, and another tenant's repository is simply not found (404).
 * Errors are {@link PlatformProblem}s: {@code not-found}, {@code conflict},
 * {@code promotion-blocked}, {@code base-model-mismatch}, {@code validation}.
 *
 * @see JobCompletions the consumer that registers a version for every succeeded job
 */
public class AdapterRegistry {

    private final Registrations registrations;
    private final Catalog catalog;
    private final Promotions promotions;
    private final Repositories repositories;
    private final Versions versions;
    private final Aliases aliases;
    private final ArtifactStore store;

    AdapterRegistry(Registrations registrations, Catalog catalog, Promotions promotions, Repositories repositories,
            Versions versions, Aliases aliases, ArtifactStore store) {
        this.registrations = registrations;
        this.catalog = catalog;
        this.promotions = promotions;
        this.repositories = repositories;
        this.versions = versions;
        this.aliases = aliases;
        this.store = store;
    }

    /**
     * Registers a succeeded job's adapter as the next version of its segment's repository (created
     * on first use). Idempotent per job: a repeated call returns the existing version with
     * {@code created == false}. Succeeded jobs arrive here through the completion outbox
     * ({@link JobCompletions}); calling it directly registers without recording the job's model.
     */
    public Registration register(FineTuningSucceeded event) {
        return registrations.register(event);
    }

    // ---- repositories

    public Page<RepositorySummary> repositories(TenantId tenant, String cursor, Integer limit) {
        return catalog.repositories(tenant, cursor, limit);
    }

    public RepositorySummary repository(TenantId tenant, SegmentName segment) {
        return repositories.summary(tenant, segment);
    }

    /** Creates the segment's repository if needed and sets its description and promotion gate. */
    public RepositorySummary configure(TenantId tenant, SegmentName segment, String description, GatePolicy gate) {
        Checks.maxLength(description, 1000, "description");
        Repositories.Row repo = repositories.ensure(tenant, segment);
        repositories.configure(repo.id(), description, gate == null ? GatePolicy.DEFAULT : gate);
        return repositories.summary(tenant, segment);
    }

    // ---- versions

    public AdapterVersion version(TenantId tenant, SegmentName segment, int number) {
        return catalog.require(tenant, segment, number).view();
    }

    /** Versions newest first; archived ones only when the query asks for them. */
    public Page<AdapterVersion> search(TenantId tenant, VersionQuery query, String cursor, Integer limit) {
        return catalog.search(tenant, query, cursor, limit);
    }

    public VersionComparison compare(TenantId tenant, SegmentName segment, int a, int b) {
        return Comparisons.compare(version(tenant, segment, a), version(tenant, segment, b));
    }

    public AdapterVersion tag(TenantId tenant, SegmentName segment, int number, String key, String value) {
        return catalog.tag(tenant, segment, number, key, value);
    }

    public AdapterVersion untag(TenantId tenant, SegmentName segment, int number, String key) {
        return catalog.untag(tenant, segment, number, key);
    }

    /** Hides the version from lists and searches; it still resolves and can still be promoted. */
    public AdapterVersion archive(TenantId tenant, SegmentName segment, int number, String actor) {
        return catalog.archive(tenant, segment, number, true, actor);
    }

    public AdapterVersion unarchive(TenantId tenant, SegmentName segment, int number, String actor) {
        return catalog.archive(tenant, segment, number, false, actor);
    }

    /** Deletes the version and its files; a 409 while any alias points at it. */
    public void delete(TenantId tenant, SegmentName segment, int number, String actor) {
        catalog.delete(tenant, segment, number, actor);
    }

    /** The version's files, listed now and streamed on demand. */
    public AdapterDownload download(TenantId tenant, SegmentName segment, int number) {
        AdapterVersion v = version(tenant, segment, number);
        return new AdapterDownload(v, store.list(v.artifact().prefix()), store);
    }

    // ---- aliases

    public List<Alias> aliases(TenantId tenant, SegmentName segment) {
        return aliases.list(repositories.require(tenant, segment).id());
    }

    /**
     * Points {@code alias} at a version, through the repository's gate unless forced (with a
     * reason). A 409 {@code promotion-blocked} names the gate and both metrics; a 409
     * {@code conflict} means another request moved the alias meanwhile.
     */
    public AliasMove promote(TenantId tenant, SegmentName segment, String alias, Promotion promotion, String actor) {
        return promotions.promote(tenant, segment, alias(alias), promotion, actor(actor));
    }

    /** Moves the alias back to the version it pointed at before its latest promotion. */
    public AliasMove rollback(TenantId tenant, SegmentName segment, String alias, String reason, String actor) {
        return promotions.rollback(tenant, segment, alias(alias), reason, actor(actor));
    }

    public AliasMove removeAlias(TenantId tenant, SegmentName segment, String alias, String reason, String actor) {
        return promotions.remove(tenant, segment, alias(alias), reason, actor(actor));
    }

    /** Alias moves newest first, of one alias or (with {@code alias} null) of all. */
    public Page<AliasMove> audit(TenantId tenant, SegmentName segment, String alias, String cursor, Integer limit) {
        Repositories.Row repo = repositories.require(tenant, segment);
        int n = Cursors.limit(limit);
        List<AliasMove> rows = aliases.audit(repo.id(), alias == null ? null : alias(alias),
                Cursors.decodeLong("a", cursor), n + 1);
        return Page.fromOverfetch(rows, n, m -> m, m -> Cursors.encode("a", m.id()));
    }

    // ---- resolution

    /**
     * What {@code ref} stands for now. With an {@code expected} base model, an adapter trained on a
     * different one is refused with a 409 {@code base-model-mismatch}, never silently served.
     */
    public ResolvedAdapter resolve(TenantId tenant, AdapterRef ref, BaseModelExpectation expected) {
        AdapterVersion v;
        if (ref.alias() != null) {
            Repositories.Row repo = repositories.require(tenant, ref.segment());
            Aliases.Row alias = aliases.find(repo.id(), ref.alias())
                    .orElseThrow(() -> PlatformProblem.notFound("alias", ref.toString()));
            v = versions.find(alias.versionId()).orElseThrow().view();
        } else {
            v = version(tenant, ref.segment(), ref.version());
        }
        if (expected != null && !expected.matches(v)) {
            throw new PlatformProblem(ProblemKind.BASE_MODEL_MISMATCH, ref + " is version " + v.number()
                    + ", trained on base model '" + v.baseModelName() + "' (" + v.baseModelId()
                    + (v.baseModelSha256() == null ? ", no recorded weights fingerprint" : ", weights " + v.baseModelSha256())
                    + "), not on '" + expected.idOrName() + "'"
                    + (expected.weightsSha256() == null ? "" : " with weights " + expected.weightsSha256())
                    + "; it cannot be served on that base model")
                    .with("ref", ref.toString()).with("version", v.number())
                    .with("adapterBaseModel", v.baseModelName()).with("adapterBaseModelId", v.baseModelId().toString())
                    .with("adapterBaseModelSha256", v.baseModelSha256())
                    .with("requestedBaseModel", expected.idOrName()).with("requestedBaseModelSha256", expected.weightsSha256());
        }
        return new ResolvedAdapter(ref.toString(), ref.alias(), v, "s3://" + store.bucket() + "/" + v.artifact().prefix());
    }

    private static String alias(String alias) {
        try {
            return Checks.matches(alias, GatePolicy.ALIAS, "alias");
        } catch (IllegalArgumentException e) {
            throw new PlatformProblem(ProblemKind.VALIDATION, e.getMessage()).with("param", "alias").with("field", "alias");
        }
    }

    private static String actor(String actor) {
        return Checks.maxLength(Checks.notBlank(actor, "actor"), 200, "actor");
    }
}
