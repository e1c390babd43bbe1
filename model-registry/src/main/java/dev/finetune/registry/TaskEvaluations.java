package dev.finetune.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.common.Checks;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.json.CoreJson;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * On-demand task evaluations: the API queues one for a version and a dataset of the same tenant;
 * a worker {@link #claimNext claims} it under a lease (an expired lease is claimed again), runs it
 * and records the outcome only while it still holds the lease. Nothing here generates text.
 */
public class TaskEvaluations {

    /** What a worker needs to run a claimed evaluation. */
    public record Claim(UUID id, TenantId tenant, UUID baseModelId, String adapterPrefix, String hyperparametersJson,
            UUID datasetId, int maxExamples, int maxNewTokens, String extractor) {
    }

    private static final String SELECT = """
            SELECT e.*, r.segment, v.number FROM task_evaluations e
              JOIN adapter_versions v ON v.id = e.version_id
              JOIN adapter_repositories r ON r.id = v.repository_id
            """;

    private final JdbcClient jdbc;
    private final AdapterRegistry registry;

    public TaskEvaluations(JdbcClient jdbc, AdapterRegistry registry) {
        this.jdbc = jdbc;
        this.registry = registry;
    }

    /** Queues an evaluation of {@code segment/number} on the tenant's dataset; 404 for another tenant's version or dataset. */
    public TaskEvaluation request(TenantId tenant, SegmentName segment, int number, DatasetId dataset, int maxExamples,
            int maxNewTokens, String extractor, String actor) {
        if (maxExamples < 1 || maxExamples > 10_000) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "max_examples must be between 1 and 10000 but was "
                    + maxExamples).with("param", "max_examples").with("field", "max_examples");
        }
        if (maxNewTokens < 1 || maxNewTokens > 4096) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "max_new_tokens must be between 1 and 4096 but was "
                    + maxNewTokens).with("param", "max_new_tokens").with("field", "max_new_tokens");
        }
        String pattern = extractor == null || extractor.isBlank() ? null : extractor;
        if (pattern != null && (pattern.length() > 500 || pattern.chars().anyMatch(Character::isISOControl))) {
            throw new PlatformProblem(ProblemKind.VALIDATION, "extractor must be at most 500 characters without control "
                    + "characters").with("param", "extractor").with("field", "extractor");
        }
        if (pattern != null) {
            try {
                if (java.util.regex.Pattern.compile(pattern).matcher("").groupCount() < 1) {
                    throw new PlatformProblem(ProblemKind.VALIDATION, "extractor needs a capturing group: the first "
                            + "group is the answer compared").with("param", "extractor").with("field", "extractor");
                }
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new PlatformProblem(ProblemKind.VALIDATION, "extractor is not a regular expression: "
                        + e.getDescription()).with("param", "extractor").with("field", "extractor");
            }
        }
        AdapterVersion version = registry.version(tenant, segment, number);
        UUID versionId = jdbc.sql("""
                SELECT v.id FROM adapter_versions v JOIN adapter_repositories r ON r.id = v.repository_id
                 WHERE r.tenant_id = ? AND r.segment = ? AND v.number = ? AND v.deleted_at IS NULL""")
                .params(tenant.value(), segment.value(), version.number()).query(UUID.class).single();
        boolean usable = jdbc.sql("SELECT count(*) FROM datasets WHERE tenant_id = ? AND id = ? AND validation_status <> 'invalid'")
                .params(tenant.value(), dataset.value()).query(Integer.class).single() > 0;
        if (!usable) {
            throw PlatformProblem.notFound("dataset", dataset).with("param", "dataset").with("field", "dataset");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_evaluations (id, tenant_id, version_id, dataset_id, max_examples, max_new_tokens,
                    extractor, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, tenant.value(), versionId, dataset.value(), maxExamples, maxNewTokens, pattern,
                        Checks.maxLength(Checks.notBlank(actor, "actor"), 200, "actor")).update();
        return find(tenant, id).orElseThrow();
    }

    public Optional<TaskEvaluation> find(TenantId tenant, UUID id) {
        return jdbc.sql(SELECT + " WHERE e.tenant_id = ? AND e.id = ?").params(tenant.value(), id)
                .query(TaskEvaluations::view).optional();
    }

    /** The version's evaluations, newest first. */
    public List<TaskEvaluation> ofVersion(TenantId tenant, SegmentName segment, int number) {
        registry.version(tenant, segment, number);
        return jdbc.sql(SELECT + " WHERE e.tenant_id = ? AND r.segment = ? AND v.number = ? ORDER BY e.created_at DESC LIMIT 100")
                .params(tenant.value(), segment.value(), number).query(TaskEvaluations::view).list();
    }

    /** The oldest queued evaluation, or a running one whose lease expired, now leased to {@code worker}. */
    public Optional<Claim> claimNext(String worker, Duration lease) {
        return jdbc.sql("""
                UPDATE task_evaluations e SET status = 'running', lease_owner = ?,
                       lease_expires_at = now() + ? * interval '1 millisecond', attempt = e.attempt + 1,
                       started_at = coalesce(e.started_at, now())
                  FROM adapter_versions v
                 WHERE v.id = e.version_id AND e.id = (
                       SELECT id FROM task_evaluations
                        WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < now())
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING e.id, e.tenant_id, v.base_model_id, v.artifact_prefix, v.hyperparameters::text AS hp,
                          e.dataset_id, e.max_examples, e.max_new_tokens, e.extractor""")
                .params(worker, lease.toMillis())
                .query((rs, n) -> new Claim(rs.getObject("id", UUID.class), new TenantId(rs.getObject("tenant_id", UUID.class)),
                        rs.getObject("base_model_id", UUID.class), rs.getString("artifact_prefix"), rs.getString("hp"),
                        rs.getObject("dataset_id", UUID.class), rs.getInt("max_examples"), rs.getInt("max_new_tokens"),
                        rs.getString("extractor")))
                .optional();
    }

    /** Records the result while {@code worker} still holds the lease; returns whether it did. */
    public boolean succeed(UUID id, String worker, FineTuningSucceeded.TaskMetrics result, String examplesKey) {
        return jdbc.sql("""
                UPDATE task_evaluations SET status = 'succeeded', result = CAST(? AS jsonb), examples_key = ?,
                       lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?""")
                .params(CoreJson.write(result), examplesKey, id, worker).update() == 1;
    }

    /** Records why it failed while {@code worker} still holds the lease. */
    public boolean fail(UUID id, String worker, String error) {
        return jdbc.sql("""
                UPDATE task_evaluations SET status = 'failed', error = ?, lease_owner = NULL, lease_expires_at = NULL,
                       finished_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?""")
                .params(error, id, worker).update() == 1;
    }

    private static TaskEvaluation view(ResultSet rs, int n) throws SQLException {
        String result = rs.getString("result");
        Timestamp finished = rs.getTimestamp("finished_at");
        return new TaskEvaluation(rs.getObject("id", UUID.class), rs.getString("segment"), rs.getInt("number"),
                rs.getObject("dataset_id", UUID.class), rs.getInt("max_examples"), rs.getInt("max_new_tokens"),
                rs.getString("extractor"), rs.getString("status"),
                result == null ? null : CoreJson.read(result, FineTuningSucceeded.TaskMetrics.class),
                rs.getString("examples_key"), rs.getString("error"), rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(), finished == null ? null : finished.toInstant());
    }
}
