package dev.finetune.core.apikey;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import org.springframework.data.repository.Repository;

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

    default Optional<ApiKey> find(TenantId tenant, ApiKeyId id) {
        return findByTenantIdAndId(tenant.value(), id.value());
    }

    default List<ApiKey> list(TenantId tenant) {
        return findByTenantIdOrderByCreatedAt(tenant.value());
    }
}
