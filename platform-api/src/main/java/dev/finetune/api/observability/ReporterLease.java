package dev.finetune.api.observability;

import java.time.Duration;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A short lease in {@code metrics_reporters} naming the one API replica that exports the
 * platform-wide gauges. {@link #holdOrTake()} renews the lease when this replica holds it, takes
 * it when it has expired, and otherwise tells this replica to stay quiet.
 */
final class ReporterLease {

    private static final String HOLD_OR_TAKE = """
            INSERT INTO metrics_reporters (name, holder, expires_at)
            VALUES (:name, :me, now() + :ttlMs * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
             WHERE metrics_reporters.holder = EXCLUDED.holder OR metrics_reporters.expires_at < now()
            RETURNING holder
            """;

    private final JdbcClient jdbc;
    private final String name;
    private final String me = UUID.randomUUID().toString();
    private final Duration ttl;

    ReporterLease(JdbcClient jdbc, String name, Duration ttl) {
        this.jdbc = jdbc;
        this.name = name;
        this.ttl = ttl;
    }

    /** True while this replica is the reporter. */
    boolean holdOrTake() {
        return jdbc.sql(HOLD_OR_TAKE).param("name", name).param("me", me).param("ttlMs", ttl.toMillis())
                .query(String.class).optional().isPresent();
    }

    /** Gives the lease up at shutdown so another replica takes over at its next refresh. */
    void release() {
        jdbc.sql("DELETE FROM metrics_reporters WHERE name = :name AND holder = :me").param("name", name).param("me", me)
                .update();
    }
}
