package dev.finetune.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.JobId;
import dev.finetune.core.json.CoreJson;
import dev.finetune.core.tenant.TenantId;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;

/** The {@code adapter_versions} and {@code adapter_version_tags} tables. Deleted versions stay as tombstones. */
final class Versions {

    /** A version with the ids the registry needs internally; {@code seq} orders searches. */
    record Row(UUID id, UUID repositoryId, long seq, boolean deleted, AdapterVersion view) {
    }

    private static final String SELECT = """
            SELECT v.*, r.segment,
                   (SELECT coalesce(jsonb_object_agg(t.key, t.value), '{}'::jsonb)
                      FROM adapter_version_tags t WHERE t.version_id = v.id)::text AS tag_map,
                   (SELECT coalesce(array_agg(a.name ORDER BY a.name), '{}')
                      FROM adapter_aliases a WHERE a.version_id = v.id) AS alias_names
              FROM adapter_versions v JOIN adapter_repositories r ON r.id = v.repository_id
            """;

    private final JdbcClient jdbc;

    Versions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Row> find(UUID repositoryId, int number) {
        return jdbc.sql(SELECT + " WHERE v.repository_id = ? AND v.number = ? AND v.deleted_at IS NULL")
                .params(repositoryId, number).query(Versions::row).optional();
    }

    Optional<Row> find(UUID versionId) {
        return jdbc.sql(SELECT + " WHERE v.id = ?").param(versionId).query(Versions::row).optional();
    }

    /**
     * Locks a live version until the transaction ends: {@code FOR SHARE} while an alias is pointed
     * at it, {@code FOR UPDATE} while it is deleted, so the two never interleave.
     */
    Optional<UUID> lock(UUID repositoryId, int number, boolean exclusive) {
        return jdbc.sql("SELECT id FROM adapter_versions WHERE repository_id = ? AND number = ? AND deleted_at IS NULL "
                + (exclusive ? "FOR UPDATE" : "FOR SHARE")).params(repositoryId, number).query(UUID.class).optional();
    }

    /** The version a job registered, deleted or not. */
    Optional<Row> bySourceJob(TenantId tenant, JobId job) {
        return jdbc.sql(SELECT + " WHERE v.tenant_id = ? AND v.source_job_id = ?")
                .params(tenant.value(), job.value()).query(Versions::row).optional();
    }

    /** Inserts the version unless the job already has one; returns whether it inserted. */
    boolean insert(UUID id, UUID repositoryId, int number, String baseModelName, FineTuningSucceeded e) {
        FineTuningSucceeded.Metrics m = e.metrics();
        FineTuningSucceeded.Lineage l = e.lineage();
        CheckpointRef parent = l == null ? null : l.fromCheckpoint();
        return jdbc.sql("""
                INSERT INTO adapter_versions (id, tenant_id, repository_id, number, source_job_id, base_model_id,
                    base_model_name, base_model_sha256, dataset_sha256, eval_set_sha256, method, hyperparameters,
                    eval_loss, perplexity, initial_eval_loss, curve_steps, first_train_loss, final_train_loss,
                    min_eval_loss, artifact_prefix, artifact_sha256, artifact_size_bytes, created_by, created_at,
                    dataset_id, dataset_name, eval_set, from_checkpoint_job_id, from_checkpoint_step, task_metrics)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?, CAST(? AS jsonb), ?, ?, CAST(? AS jsonb))
                ON CONFLICT (source_job_id) DO NOTHING""")
                .params(id, e.tenantId().value(), repositoryId, number, e.jobId().value(), e.baseModelId().value(),
                        baseModelName, e.baseModelSha256(), e.datasetSha256(), e.evalSetSha256(), e.method().wireName(),
                        e.hyperparameters().toJson(), m.finalEvalLoss(), m.perplexity(), m.initialEvalLoss(),
                        m.steps(), m.firstTrainLoss(), m.finalTrainLoss(), m.minEvalLoss(),
                        e.artifact().prefix(), e.artifact().weightsSha256(), e.artifact().sizeBytes(), e.createdBy(),
                        Timestamp.from(e.occurredAt()),
                        l == null ? null : l.trainingFileId(), l == null ? null : l.trainingFileName(),
                        l == null || l.evalSet() == null ? null : CoreJson.write(EvalSetLineage.of(l.evalSet())),
                        parent == null ? null : parent.job().value(), parent == null ? null : parent.step(),
                        e.taskMetrics() == null ? null : CoreJson.write(e.taskMetrics()))
                .update() == 1;
    }

    /** Newest first, {@code seq} below {@code beforeSeq} (null: from the newest). */
    List<Row> search(TenantId tenant, VersionQuery q, Long beforeSeq, int limit) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE v.tenant_id = ? AND v.deleted_at IS NULL");
        List<Object> params = new ArrayList<>(List.of(tenant.value()));
        if (!q.includeArchived()) {
            sql.append(" AND v.archived_at IS NULL");
        }
        if (q.segment() != null) {
            sql.append(" AND r.segment = ?");
            params.add(q.segment().value());
        }
        if (q.method() != null) {
            sql.append(" AND v.method = ?");
            params.add(q.method().wireName());
        }
        if (q.baseModel() != null) {
            sql.append(" AND (v.base_model_name = ? OR v.base_model_id::text = ?)");
            params.add(q.baseModel());
            params.add(q.baseModel());
        }
        if (q.maxEvalLoss() != null) {
            sql.append(" AND v.eval_loss <= ?");
            params.add(q.maxEvalLoss());
        }
        if (q.tagKey() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM adapter_version_tags t WHERE t.version_id = v.id AND t.key = ?");
            params.add(q.tagKey());
            if (q.tagValue() != null) {
                sql.append(" AND t.value = ?");
                params.add(q.tagValue());
            }
            sql.append(")");
        }
        if (beforeSeq != null) {
            sql.append(" AND v.seq < ?");
            params.add(beforeSeq);
        }
        sql.append(" ORDER BY v.seq DESC LIMIT ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(Versions::row).list();
    }

    void archive(UUID id, String actor, boolean archived) {
        jdbc.sql("UPDATE adapter_versions SET archived_at = " + (archived ? "coalesce(archived_at, now())" : "NULL")
                + ", archived_by = ? WHERE id = ?").params(archived ? actor : null, id).update();
    }

    void markDeleted(UUID id, String actor) {
        jdbc.sql("UPDATE adapter_versions SET deleted_at = now(), deleted_by = ? WHERE id = ? AND deleted_at IS NULL")
                .params(actor, id).update();
    }

    /** Whether another live version of the tenant shares the prefix (its files must then stay). */
    boolean prefixSharedWithOthers(TenantId tenant, String prefix, UUID except) {
        return jdbc.sql("SELECT count(*) FROM adapter_versions WHERE tenant_id = ? AND artifact_prefix = ? AND id <> ? AND deleted_at IS NULL")
                .params(tenant.value(), prefix, except).query(Integer.class).single() > 0;
    }

    void putTag(UUID id, String key, String value) {
        jdbc.sql("""
                INSERT INTO adapter_version_tags (version_id, key, value) VALUES (?, ?, ?)
                ON CONFLICT (version_id, key) DO UPDATE SET value = excluded.value""").params(id, key, value).update();
    }

    boolean removeTag(UUID id, String key) {
        return jdbc.sql("DELETE FROM adapter_version_tags WHERE version_id = ? AND key = ?").params(id, key).update() == 1;
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Timestamp archived = rs.getTimestamp("archived_at");
        String evalSet = rs.getString("eval_set");
        String taskMetrics = rs.getString("task_metrics");
        UUID parentJob = rs.getObject("from_checkpoint_job_id", UUID.class);
        AdapterVersion view = new AdapterVersion(rs.getString("segment"), rs.getInt("number"),
                rs.getObject("source_job_id", UUID.class), rs.getObject("base_model_id", UUID.class),
                rs.getString("base_model_name"), rs.getString("base_model_sha256"),
                rs.getObject("dataset_id", UUID.class), rs.getString("dataset_name"), rs.getString("dataset_sha256"),
                rs.getString("eval_set_sha256"),
                evalSet == null ? null : CoreJson.read(evalSet, EvalSetLineage.class),
                parentJob == null ? null : CheckpointLineage.of(parentJob, rs.getInt("from_checkpoint_step")),
                FineTuningMethod.fromWire(rs.getString("method")),
                Hyperparameters.fromJson(rs.getString("hyperparameters")), dbl(rs, "eval_loss"),
                dbl(rs, "perplexity"), dbl(rs, "initial_eval_loss"),
                new TrainingCurve(rs.getInt("curve_steps"), dbl(rs, "first_train_loss"), dbl(rs, "final_train_loss"),
                        dbl(rs, "min_eval_loss")),
                taskMetrics == null ? null : CoreJson.read(taskMetrics, FineTuningSucceeded.TaskMetrics.class),
                new AdapterArtifact(rs.getString("artifact_prefix"), rs.getString("artifact_sha256"),
                        rs.getLong("artifact_size_bytes")),
                rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(),
                archived == null ? null : archived.toInstant(),
                CoreJson.read(rs.getString("tag_map"), new TypeReference<Map<String, String>>() { }),
                Arrays.asList((String[]) rs.getArray("alias_names").getArray()));
        return new Row(rs.getObject("id", UUID.class), rs.getObject("repository_id", UUID.class), rs.getLong("seq"),
                rs.getTimestamp("deleted_at") != null, view);
    }

    private static Double dbl(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }
}
