package dev.finetune.core.apikey;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import dev.finetune.core.common.AssignedIdEntity;
import dev.finetune.core.common.Checks;
import dev.finetune.core.tenant.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A stored API key: prefix in clear, SHA-256 of the secret, scopes and lifecycle timestamps. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends AssignedIdEntity {

    @Column(name = "tenant_id", nullable = false, updatable = false)
    private UUID tenantId;

    @Column(nullable = false, length = 100)
    private String name;

    @Column(nullable = false, unique = true, updatable = false, length = 32)
    private String prefix;

    @Column(name = "secret_sha256", nullable = false, updatable = false)
    private byte[] secretSha256;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    private String[] scopes;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    /** The install's bootstrap key: may create tenants. Set only through {@link #operator}. */
    @Column(nullable = false, updatable = false)
    private boolean operator;

    protected ApiKey() {
    }

    private ApiKey(TenantId tenant, String name, ApiKeyToken token, Set<ApiKeyScope> scopes, Instant now) {
        super(ApiKeyId.random().value());
        this.tenantId = Checks.notNull(tenant, "tenant_id").value();
        this.name = Checks.maxLength(Checks.notBlank(name, "name"), 100, "name");
        this.prefix = token.prefix();
        this.secretSha256 = token.secretSha256();
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes must not be empty");
        }
        this.scopes = scopes.stream().map(ApiKeyScope::wireName).sorted().toArray(String[]::new);
        this.createdAt = Checks.notNull(now, "created_at");
    }

    /** Issues a new key; the returned token is the only time the secret exists in clear. */
    public static IssuedApiKey issue(TenantId tenant, String name, Set<ApiKeyScope> scopes) {
        ApiKeyToken token = ApiKeyToken.generate();
        return new IssuedApiKey(new ApiKey(tenant, name, token, scopes, Instant.now()), token);
    }

    /**
     * The operator key of a fresh install, from a token the installer chose (or one generated for
     * it): admin on {@code tenant} and allowed to create tenants. Only the token's hash is kept.
     */
    public static ApiKey operator(TenantId tenant, String name, ApiKeyToken token) {
        ApiKey key = new ApiKey(tenant, name, Checks.notNull(token, "token"), EnumSet.of(ApiKeyScope.ADMIN), Instant.now());
        key.operator = true;
        return key;
    }

    /** Constant-time check of a presented token against this key; false once revoked. */
    public boolean authenticates(ApiKeyToken presented) {
        return isActive() && prefix.equals(presented.prefix())
                && MessageDigest.isEqual(secretSha256, presented.secretSha256());
    }

    public boolean allows(ApiKeyScope needed) {
        return scopes().stream().anyMatch(s -> s.implies(needed));
    }

    public void revoke(Instant now) {
        if (revokedAt == null) {
            this.revokedAt = now;
        }
    }

    public boolean isActive() {
        return revokedAt == null;
    }

    public ApiKeyId id() {
        return new ApiKeyId(getId());
    }

    public TenantId tenantId() {
        return new TenantId(tenantId);
    }

    public String name() {
        return name;
    }

    public String prefix() {
        return prefix;
    }

    public Set<ApiKeyScope> scopes() {
        Set<ApiKeyScope> set = EnumSet.noneOf(ApiKeyScope.class);
        Arrays.stream(scopes).map(ApiKeyScope::fromWire).forEach(set::add);
        return set;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant lastUsedAt() {
        return lastUsedAt;
    }

    public Instant revokedAt() {
        return revokedAt;
    }

    public boolean isOperator() {
        return operator;
    }

    @Override
    public String toString() {
        return "ApiKey[" + prefix + ", tenant=" + tenantId + ", scopes=" + Arrays.toString(scopes) + "]";
    }
}
