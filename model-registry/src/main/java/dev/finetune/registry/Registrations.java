package dev.finetune.registry;

import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns a succeeded job into the next version of its segment's repository, exactly once per job:
 * the repository row is locked while the number is drawn, the job is looked up again under that
 * lock, and a unique constraint on the source job backs both up. Joins the caller's transaction
 * when there is one ({@link JobCompletions} completes the outbox entry in the same one).
 */
final class Registrations {

    private final JdbcClient jdbc;
    private final Repositories repositories;
    private final Versions versions;
    private final ArtifactStore store;
    private final TransactionTemplate tx;

    Registrations(JdbcClient jdbc, Repositories repositories, Versions versions, ArtifactStore store, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.repositories = repositories;
        this.versions = versions;
        this.store = store;
        this.tx = tx;
    }

    Registration register(FineTuningSucceeded e) {
        Optional<Versions.Row> known = versions.bySourceJob(e.tenantId(), e.jobId());
        if (known.isPresent()) {
            return new Registration(known.get().view(), false);
        }
        requireArtifact(e);
        return tx.execute(status -> {
            Repositories.Row repo = repositories.ensure(e.tenantId(), e.segment());
            repositories.lock(repo.id());
            // a concurrent delivery of the same event may have committed while we waited for the lock
            Optional<Versions.Row> raced = versions.bySourceJob(e.tenantId(), e.jobId());
            if (raced.isPresent()) {
                return new Registration(raced.get().view(), false);
            }
            String baseModelName = jdbc.sql("SELECT name FROM base_models WHERE id = ? AND (tenant_id IS NULL OR tenant_id = ?)")
                    .params(e.baseModelId().value(), e.tenantId().value()).query(String.class).optional()
                    .orElseThrow(() -> PlatformProblem.notFound("base model", e.baseModelId()));
            UUID id = UUID.randomUUID();
            int number = repositories.nextNumber(repo.id());
            if (!versions.insert(id, repo.id(), number, baseModelName, e)) {
                // cannot happen under the lock unless the job id is reused across tenants; never insert twice
                return versions.bySourceJob(e.tenantId(), e.jobId()).map(v -> new Registration(v.view(), false))
                        .orElseThrow(() -> new PlatformProblem(ProblemKind.CONFLICT,
                                "job " + e.jobId() + " has already registered an adapter").with("jobId", e.jobId().toString()));
            }
            return new Registration(versions.find(id).orElseThrow().view(), true);
        });
    }

    /** The adapter must lie inside the tenant's part of the bucket and hold at least one file. */
    private void requireArtifact(FineTuningSucceeded e) {
        String prefix = e.artifact().prefix();
        if (!prefix.startsWith(ObjectKeys.tenantPrefix(e.tenantId()))) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "artifact prefix " + prefix + " lies outside the tenant's storage")
                    .with("param", "artifact_prefix").with("field", "artifact_prefix");
        }
        if (store.list(prefix).isEmpty()) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "artifact prefix " + prefix + " holds no files")
                    .with("param", "artifact_prefix").with("field", "artifact_prefix").with("jobId", e.jobId().toString());
        }
    }
}
