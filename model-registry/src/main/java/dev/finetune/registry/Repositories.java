package dev.finetune.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.finetune.core.json.CoreJson;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;

/** The {@code adapter_repositories} table: one row per tenant and segment, created on first use. */
final class Repositories {

    record Row(UUID id, TenantId tenant, String segment, String description, GatePolicy gate, int latestVersion,
            Instant createdAt) {
    }

    private static final String SUMMARY = """
            SELECT r.*,
                   (SELECT count(*) FROM adapter_versions v
                     WHERE v.repository_id = r.id AND v.deleted_at IS NULL) AS version_count,
                   (SELECT coalesce(jsonb_object_agg(a.name, v.number), '{}'::jsonb)
                      FROM adapter_aliases a JOIN adapter_versions v ON v.id = a.version_id
                     WHERE a.repository_id = r.id)::text AS alias_map
              FROM adapter_repositories r
            """;

    private final JdbcClient jdbc;

    Repositories(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Row> find(TenantId tenant, SegmentName segment) {
        return jdbc.sql("SELECT * FROM adapter_repositories WHERE tenant_id = ? AND segment = ?")
                .params(tenant.value(), segment.value()).query(Repositories::row).optional();
    }

    /** The repository, or a 404 problem; another tenant's repository is just as absent. */
    Row require(TenantId tenant, SegmentName segment) {
        return find(tenant, segment).orElseThrow(() -> PlatformProblem.notFound("adapter repository", segment.value()));
    }

    /** Creates the segment's repository if it has none; a segment the tenant lacks is a 404. */
    Row ensure(TenantId tenant, SegmentName segment) {
        boolean segmentExists = jdbc.sql("SELECT count(*) FROM segments WHERE tenant_id = ? AND name = ?")
                .params(tenant.value(), segment.value()).query(Integer.class).single() > 0;
        if (!segmentExists) {
            throw PlatformProblem.notFound("segment", segment.value());
        }
        jdbc.sql("""
                INSERT INTO adapter_repositories (id, tenant_id, segment) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id, segment) DO NOTHING""")
                .params(UUID.randomUUID(), tenant.value(), segment.value()).update();
        return require(tenant, segment);
    }

    /** Locks the row until the transaction ends: registrations into one repository run one at a time. */
    void lock(UUID id) {
        jdbc.sql("SELECT id FROM adapter_repositories WHERE id = ? FOR UPDATE").param(id).query(UUID.class).single();
    }

    int nextNumber(UUID id) {
        return jdbc.sql("UPDATE adapter_repositories SET latest_version = latest_version + 1 WHERE id = ? RETURNING latest_version")
                .param(id).query(Integer.class).single();
    }

    void configure(UUID id, String description, GatePolicy gate) {
        jdbc.sql("""
                UPDATE adapter_repositories
                   SET description = ?, gate = ?, gate_max_eval_loss = ?, gated_aliases = CAST(? AS text[]),
                       gate_task_metric = ?
                 WHERE id = ?""")
                .params(description, gate.rule().wireName(), gate.maxEvalLoss(),
                        "{" + String.join(",", gate.gatedAliases().stream().sorted().toList()) + "}", gate.taskMetric(), id)
                .update();
    }

    RepositorySummary summary(TenantId tenant, SegmentName segment) {
        return jdbc.sql(SUMMARY + " WHERE r.tenant_id = ? AND r.segment = ?")
                .params(tenant.value(), segment.value()).query(Repositories::summary).optional()
                .orElseThrow(() -> PlatformProblem.notFound("adapter repository", segment.value()));
    }

    /** Ordered by segment name; {@code after} is the last segment of the previous page. */
    List<RepositorySummary> list(TenantId tenant, String after, int limit) {
        return jdbc.sql(SUMMARY + " WHERE r.tenant_id = ? AND r.segment > ? ORDER BY r.segment LIMIT ?")
                .params(tenant.value(), after == null ? "" : after, limit).query(Repositories::summary).list();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), new TenantId(rs.getObject("tenant_id", UUID.class)),
                rs.getString("segment"), rs.getString("description"), gate(rs), rs.getInt("latest_version"),
                rs.getTimestamp("created_at").toInstant());
    }

    private static GatePolicy gate(ResultSet rs) throws SQLException {
        double max = rs.getDouble("gate_max_eval_loss");
        Double maxEvalLoss = rs.wasNull() ? null : max;
        Set<String> aliases = Arrays.stream((String[]) rs.getArray("gated_aliases").getArray()).collect(Collectors.toSet());
        return new GatePolicy(GateRule.fromWire(rs.getString("gate")), maxEvalLoss, aliases, rs.getString("gate_task_metric"));
    }

    private static RepositorySummary summary(ResultSet rs, int n) throws SQLException {
        Map<String, Integer> aliases = CoreJson.read(rs.getString("alias_map"), new TypeReference<Map<String, Integer>>() { });
        return new RepositorySummary(rs.getString("segment"), rs.getString("description"), gate(rs),
                rs.getInt("latest_version"), rs.getInt("version_count"), aliases, rs.getTimestamp("created_at").toInstant());
    }
}
