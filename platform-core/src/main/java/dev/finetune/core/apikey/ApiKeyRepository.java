package dev.finetune.core.apikey;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface ApiKeyRepository extends Repository<ApiKey, UUID> {

    ApiKey save(ApiKey key);

    /** Prefixes are globally unique, so authentication needs no tenant; the key then names it. */
    Optional<ApiKey> findByPrefix(String prefix);

    Optional<ApiKey> findByTenantIdAndId(UUID tenantId, UUID id);

    List<ApiKey> findByTenantIdOrderByCreatedAt(UUID tenantId);

    /** The active key that the token authenticates, if any. */
    default Optional<ApiKey> authenticate(ApiKeyToken token) {
        return findByPrefix(token.prefix()).filter(k -> k.authenticates(token));
    }

    /**
     * Records that {@code key} was used, at most once a minute per key, so a busy CI pipeline does
     * not turn every read into a write; the conditional UPDATE keeps concurrent requests from
     * writing twice. The API and serving both call it after authenticating.
     */
    default void touch(ApiKey key) {
        Instant last = key.lastUsedAt();
        if (last == null || !last.isAfter(Instant.now().minus(USAGE_RESOLUTION))) {
            markUsed(key.id().value());
        }
    }

    /** How often a key's {@code last_used_at} is written at most. */
    Duration USAGE_RESOLUTION = Duration.ofMinutes(1);

    @Modifying
    @Transactional
    @Query(value = """
            UPDATE api_keys SET last_used_at = now()
            WHERE id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""", nativeQuery = true)
    int markUsed(@Param("id") UUID id);

    default Optional<ApiKey> find(TenantId tenant, ApiKeyId id) {
        return findByTenantIdAndId(tenant.value(), id.value());
    }

    default List<ApiKey> list(TenantId tenant) {
        return findByTenantIdOrderByCreatedAt(tenant.value());
    }
}
