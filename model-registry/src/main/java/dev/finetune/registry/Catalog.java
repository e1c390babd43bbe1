package dev.finetune.registry;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/** Reading versions, and the few changes a version allows: tags, the archive mark, deletion. */
final class Catalog {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);
    static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");

    private final Repositories repositories;
    private final Versions versions;
    private final Aliases aliases;
    private final ArtifactStore store;
    private final TransactionTemplate tx;

    Catalog(Repositories repositories, Versions versions, Aliases aliases, ArtifactStore store, TransactionTemplate tx) {
        this.repositories = repositories;
        this.versions = versions;
        this.aliases = aliases;
        this.store = store;
        this.tx = tx;
    }

    Versions.Row require(TenantId tenant, SegmentName segment, int number) {
        Repositories.Row repo = repositories.require(tenant, segment);
        return versions.find(repo.id(), number)
                .orElseThrow(() -> PlatformProblem.notFound("adapter version", segment + "/" + number));
    }

    Page<AdapterVersion> search(TenantId tenant, VersionQuery query, String cursor, Integer limit) {
        if (query.segment() != null) {
            repositories.require(tenant, query.segment());
        }
        int n = Cursors.limit(limit);
        List<Versions.Row> rows = versions.search(tenant, query, Cursors.decodeLong("v", cursor), n + 1);
        return Page.fromOverfetch(rows, n, Versions.Row::view, r -> Cursors.encode("v", r.seq()));
    }

    Page<RepositorySummary> repositories(TenantId tenant, String cursor, Integer limit) {
        int n = Cursors.limit(limit);
        List<RepositorySummary> rows = repositories.list(tenant, Cursors.decode("r", cursor), n + 1);
        return Page.fromOverfetch(rows, n, r -> r, r -> Cursors.encode("r", r.segment()));
    }

    AdapterVersion tag(TenantId tenant, SegmentName segment, int number, String key, String value) {
        Checks.matches(key, TAG_KEY, "tag key");
        Checks.maxLength(Checks.notNull(value, "tag value"), 1000, "tag value");
        Versions.Row v = require(tenant, segment, number);
        versions.putTag(v.id(), key, value);
        return versions.find(v.id()).orElseThrow().view();
    }

    AdapterVersion untag(TenantId tenant, SegmentName segment, int number, String key) {
        Versions.Row v = require(tenant, segment, number);
        if (!versions.removeTag(v.id(), key)) {
            throw PlatformProblem.notFound("tag", key);
        }
        return versions.find(v.id()).orElseThrow().view();
    }

    AdapterVersion archive(TenantId tenant, SegmentName segment, int number, boolean archived, String actor) {
        Versions.Row v = require(tenant, segment, number);
        versions.archive(v.id(), actor, archived);
        return versions.find(v.id()).orElseThrow().view();
    }

    /**
     * Deletes a version no alias points at: the row becomes a tombstone (its number is never
     * reused and its job cannot register again) and, once that has committed, its files go.
     */
    void delete(TenantId tenant, SegmentName segment, int number, String actor) {
        AdapterVersion deleted = tx.execute(status -> {
            Repositories.Row repo = repositories.require(tenant, segment);
            UUID id = versions.lock(repo.id(), number, true)
                    .orElseThrow(() -> PlatformProblem.notFound("adapter version", segment + "/" + number));
            List<String> pointing = aliases.pointingAt(id);
            if (!pointing.isEmpty()) {
                throw new PlatformProblem(ProblemKind.CONFLICT, "version " + segment + "/" + number
                        + " is the target of " + pointing + "; move or remove those aliases first")
                        .with("version", number).with("aliases", pointing);
            }
            AdapterVersion view = versions.find(id).orElseThrow().view();
            versions.markDeleted(id, actor);
            if (versions.prefixSharedWithOthers(tenant, view.artifact().prefix(), id)) {
                return null;
            }
            return view;
        });
        if (deleted != null) {
            int removed = store.deletePrefix(deleted.artifact().prefix());
            log.info("deleted {} of tenant {} and its {} files", deleted.ref(), tenant, removed);
        }
    }
}
