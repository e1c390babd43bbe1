package dev.finetune.api.security;

import java.util.Optional;

import dev.finetune.api.tenancy.TenantSetup;
import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyToken;
import dev.finetune.core.tenant.Tenant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Makes sure a fresh install can be administered: the operator key (admin on tenant
 * {@code default}, allowed to create tenants) exists. Its plaintext comes from
 * {@code finetune.bootstrap-key} (environment variable {@code FINETUNE_BOOTSTRAP_KEY}) so scripts
 * and CI can start a clean install with a key they already know: an {@code ftk_} key, or any strong
 * secret of the operator's own ({@link ApiKeyToken#fromOperatorSecret}), used as the Bearer value
 * as it is; only its hash is stored. Without
 * it, a key is generated once, when no operator key exists yet, and printed once on one clear
 * log line. A revoked bootstrap key stays revoked.
 */
@Component
class BootstrapOperatorKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapOperatorKey.class);
    static final String DEFAULT_TENANT = "default";
    private static final String KEY_NAME = "bootstrap operator key";

    private final ApiKeyRepository keys;
    private final TenantSetup tenants;
    private final JdbcClient jdbc;
    private final String configured;

    BootstrapOperatorKey(ApiKeyRepository keys, TenantSetup tenants, JdbcClient jdbc,
            @Value("${finetune.bootstrap-key:}") String configured) {
        this.keys = keys;
        this.tenants = tenants;
        this.jdbc = jdbc;
        this.configured = configured == null ? "" : configured.trim();
    }

    @Override
    public void run(ApplicationArguments args) {
        Tenant tenant = tenants.ensure(DEFAULT_TENANT);
        if (!configured.isEmpty()) {
            ensureConfigured(tenant);
        } else if (activeOperatorKey().isPresent()) {
            log.info("Operator key already exists (prefix {}); set FINETUNE_BOOTSTRAP_KEY to choose one", activeOperatorKey().get());
        } else {
            ApiKeyToken token = ApiKeyToken.generate();
            keys.save(ApiKey.operator(tenant.id(), KEY_NAME, token));
            // the one place a secret is logged, on purpose: a fresh local install has no other way to hand it over
            log.warn("Bootstrap operator API key (shown once, store it now): {}", token.reveal());
        }
    }

    private void ensureConfigured(Tenant tenant) {
        ApiKeyToken token;
        try {
            token = ApiKeyToken.fromOperatorSecret(configured);
        } catch (IllegalArgumentException weak) {
            throw new IllegalStateException("finetune.bootstrap-key (FINETUNE_BOOTSTRAP_KEY) must be an ftk_ key or a strong"
                    + " secret of your own: " + weak.getMessage());
        }
        Optional<ApiKey> existing = keys.findByPrefix(token.prefix());
        if (existing.isEmpty()) {
            keys.save(ApiKey.operator(tenant.id(), KEY_NAME, token));
            log.info("Bootstrap operator key {} registered for tenant '{}'", token.prefix(), DEFAULT_TENANT);
        } else if (!existing.get().isActive()) {
            log.warn("Bootstrap operator key {} was revoked; it stays revoked", token.prefix());
        } else if (!existing.get().isOperator() || !existing.get().authenticates(token)) {
            throw new IllegalStateException("finetune.bootstrap-key: prefix " + token.prefix()
                    + " belongs to another key; choose a different bootstrap key");
        }
    }

    private Optional<String> activeOperatorKey() {
        return jdbc.sql("SELECT prefix FROM api_keys WHERE operator AND revoked_at IS NULL ORDER BY created_at LIMIT 1")
                .query(String.class).optional();
    }
}
