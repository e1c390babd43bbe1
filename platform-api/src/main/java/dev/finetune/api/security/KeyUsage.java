package dev.finetune.api.security;

import java.time.Duration;
import java.time.Instant;

import dev.finetune.core.apikey.ApiKey;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Records when a key was last used, at most once a minute per key, so that a busy CI pipeline
 * does not turn every read into a write. The conditional UPDATE keeps concurrent requests from
 * writing twice.
 */
@Component
class KeyUsage {

    static final Duration RESOLUTION = Duration.ofMinutes(1);

    private final JdbcClient jdbc;

    KeyUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void touch(ApiKey key) {
        Instant now = Instant.now();
        Instant last = key.lastUsedAt();
        if (last != null && last.isAfter(now.minus(RESOLUTION))) {
            return;
        }
        jdbc.sql("""
                UPDATE api_keys SET last_used_at = now()
                WHERE id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""")
                .param("id", key.id().value())
                .update();
    }
}
