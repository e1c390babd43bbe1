package dev.finetune.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code adapter_aliases} table and its append-only audit trail. A move is a compare-and-set on
 * the alias's {@code revision}: of two movers that saw the same revision, exactly one succeeds.
 */
final class Aliases {

    record Row(String name, UUID versionId, int versionNumber, long revision, Alias view) {
    }

    private static final String SELECT = """
            SELECT a.*, v.number FROM adapter_aliases a JOIN adapter_versions v ON v.id = a.version_id
            """;

    private final JdbcClient jdbc;

    Aliases(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Row> find(UUID repositoryId, String name) {
        return jdbc.sql(SELECT + " WHERE a.repository_id = ? AND a.name = ?").params(repositoryId, name)
                .query(Aliases::row).optional();
    }

    List<Alias> list(UUID repositoryId) {
        return jdbc.sql(SELECT + " WHERE a.repository_id = ? ORDER BY a.name").param(repositoryId)
                .query(Aliases::row).list().stream().map(Row::view).toList();
    }

    List<String> pointingAt(UUID versionId) {
        return jdbc.sql("SELECT name FROM adapter_aliases WHERE version_id = ? ORDER BY name").param(versionId)
                .query(String.class).list();
    }

    /** Creates the alias unless someone else just did; returns whether this call created it. */
    boolean create(UUID repositoryId, String name, UUID versionId, String actor) {
        return jdbc.sql("""
                INSERT INTO adapter_aliases (repository_id, name, version_id, revision, updated_at, updated_by)
                VALUES (?, ?, ?, 0, now(), ?) ON CONFLICT (repository_id, name) DO NOTHING""")
                .params(repositoryId, name, versionId, actor).update() == 1;
    }

    /** Moves the alias if it is still at {@code expectedRevision}; returns whether it moved. */
    boolean move(UUID repositoryId, String name, UUID versionId, long expectedRevision, String actor) {
        return jdbc.sql("""
                UPDATE adapter_aliases SET version_id = ?, revision = revision + 1, updated_at = now(), updated_by = ?
                 WHERE repository_id = ? AND name = ? AND revision = ?""")
                .params(versionId, actor, repositoryId, name, expectedRevision).update() == 1;
    }

    boolean remove(UUID repositoryId, String name, long expectedRevision) {
        return jdbc.sql("DELETE FROM adapter_aliases WHERE repository_id = ? AND name = ? AND revision = ?")
                .params(repositoryId, name, expectedRevision).update() == 1;
    }

    AliasMove record(TenantId tenant, UUID repositoryId, String segment, String alias, AliasAction action,
            Integer from, Integer to, boolean forced, String gateOutcome, String reason, String actor) {
        return jdbc.sql("""
                INSERT INTO adapter_alias_audit (tenant_id, repository_id, alias, action, from_version, to_version,
                    forced, gate_outcome, reason, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING *, CAST(? AS text) AS segment""")
                .params(tenant.value(), repositoryId, alias, action.wireName(), from, to, forced, gateOutcome, reason,
                        actor, segment)
                .query(Aliases::move).single();
    }

    /** Moves of one alias, newest first. */
    List<AliasMove> history(UUID repositoryId, String alias) {
        return jdbc.sql("""
                SELECT m.*, r.segment FROM adapter_alias_audit m JOIN adapter_repositories r ON r.id = m.repository_id
                 WHERE m.repository_id = ? AND m.alias = ? ORDER BY m.id DESC""")
                .params(repositoryId, alias).query(Aliases::move).list();
    }

    /** The audit trail newest first, optionally of one alias, ids below {@code beforeId}. */
    List<AliasMove> audit(UUID repositoryId, String alias, Long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT m.*, r.segment FROM adapter_alias_audit m JOIN adapter_repositories r ON r.id = m.repository_id
                 WHERE m.repository_id = ?""");
        List<Object> params = new ArrayList<>(List.of(repositoryId));
        if (alias != null) {
            sql.append(" AND m.alias = ?");
            params.add(alias);
        }
        if (beforeId != null) {
            sql.append(" AND m.id < ?");
            params.add(beforeId);
        }
        sql.append(" ORDER BY m.id DESC LIMIT ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(Aliases::move).list();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Alias view = new Alias(rs.getString("name"), rs.getInt("number"), rs.getTimestamp("updated_at").toInstant(),
                rs.getString("updated_by"));
        return new Row(view.name(), rs.getObject("version_id", UUID.class), view.version(), rs.getLong("revision"), view);
    }

    private static AliasMove move(ResultSet rs, int n) throws SQLException {
        return new AliasMove(rs.getLong("id"), rs.getString("segment"), rs.getString("alias"),
                AliasAction.fromWire(rs.getString("action")), integer(rs, "from_version"), integer(rs, "to_version"),
                rs.getBoolean("forced"), rs.getString("gate_outcome"), rs.getString("reason"), rs.getString("actor"),
                rs.getTimestamp("occurred_at").toInstant());
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
