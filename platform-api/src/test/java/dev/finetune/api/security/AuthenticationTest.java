package dev.finetune.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import dev.finetune.api.tenancy.TenantSetup;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyToken;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class AuthenticationTest extends ApiTestBase {

    @Autowired
    ApiKeyRepository keys;
    @Autowired
    TenantSetup tenants;
    @Autowired
    JdbcClient jdbc;

    @Test
    void anOperatorSecretOfTheOperatorsOwnChoosingIsTheBearerValueAsItIs() {
        // given a bootstrap key chosen as the ops guides say: openssl rand -hex 32
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        new BootstrapOperatorKey(keys, tenants, jdbc, secret).run(null);

        // when the operator presents that secret as it is
        Response created = api.postJson("/api/v1/tenants", secret, Map.of("name", "own-secret-" + System.nanoTime()));

        // then it is the operator, and only the mapped key's hash is stored
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE prefix = ?")
                .param(ApiKeyToken.fromOperatorSecret(secret).prefix()).query(Long.class).single()).isEqualTo(1);
        assertThat(api.get("/api/v1/datasets", secret.substring(1) + "0").status()).isEqualTo(401);
    }

    @Test
    void refusesAWeakOperatorSecretAtStartNamingTheRuleNotTheSecret() {
        // given the compose file's old sample value
        var bootstrap = new BootstrapOperatorKey(keys, tenants, jdbc, "ft-bootstrap-local-only");

        // when / then
        assertThatThrownBy(() -> bootstrap.run(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FINETUNE_BOOTSTRAP_KEY").hasMessageContaining("at least 32")
                .hasMessageContaining("openssl rand -hex 32").hasMessageNotContaining("ft-bootstrap-local-only");
    }

    @Test
    void rejectsACallWithoutAKeyWith401Problem() {
        // when
        Response r = api.get("/api/v1/datasets", null);

        // then
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/unauthenticated");
    }

    @Test
    void rejectsAMalformedOrUnknownKey() {
        // when
        Response garbage = api.get("/api/v1/datasets", "not-a-key");
        Response unknown = api.get("/api/v1/datasets", "ftk_zzzzzzzz_" + "x".repeat(43));
        Response wrongSecret = api.get("/api/v1/datasets", Api.OPERATOR_KEY.substring(0, 13) + "y".repeat(43));

        // then
        assertThat(garbage.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrongSecret.status()).isEqualTo(401);
    }

    @Test
    void rejectsARevokedKey() {
        // given
        TestTenant tenant = newTenant("revoke");
        Response created = api.postJson("/api/v1/api-keys", tenant.adminKey(),
                Map.of("name", "ci", "scopes", java.util.List.of("read")));
        String key = created.text("key");
        assertThat(api.get("/api/v1/datasets", key).status()).isEqualTo(200);

        // when
        Response revoked = api.delete("/api/v1/api-keys/" + created.text("id"), tenant.adminKey());

        // then
        assertThat(revoked.status()).isEqualTo(204);
        assertThat(api.get("/api/v1/datasets", key).status()).isEqualTo(401);
        Response list = api.get("/api/v1/api-keys", tenant.adminKey());
        assertThat(list.body()).doesNotContain("sha256").doesNotContain(key.substring(13));
        assertThat(list.json().path("data").findValuesAsString("revoked")).isNotNull();
    }

    @Test
    void forbidsSubmittingWithAReadOnlyKey() {
        // given
        TestTenant tenant = newTenant("readonly");
        String readKey = key(tenant, "read");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", readKey, jobRequest("00000000-0000-0000-0000-000000000001"));

        // then
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/forbidden-scope");
        assertThat(r.text("requiredScope")).isEqualTo("submit");
    }

    @Test
    void letsOnlyTheOperatorCreateTenants() {
        // given
        TestTenant tenant = newTenant("notoperator");

        // when
        Response r = api.postJson("/api/v1/tenants", tenant.adminKey(), Map.of("name", "sneaky-" + System.nanoTime()));

        // then
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text("requiredScope")).isEqualTo("operator");
    }

    @Test
    void recordsWhenAKeyWasLastUsed() {
        // given
        TestTenant tenant = newTenant("lastused");
        String prefix = ApiKeyToken.parse(tenant.adminKey()).orElseThrow().prefix();
        Instant before = Instant.now().minusSeconds(5);

        // when
        api.get("/api/v1/segments", tenant.adminKey());

        // then the key used (found by its prefix) carries a timestamp of this call
        Response keys = api.get("/api/v1/api-keys", tenant.adminKey());
        JsonNode used = null;
        for (JsonNode k : keys.json().path("data")) {
            if (prefix.equals(k.path("prefix").asText())) {
                used = k;
            }
        }
        assertThat(used).as("the admin key in the listing").isNotNull();
        assertThat(used.path("last_used_at").isTextual()).as("last_used_at is a timestamp").isTrue();
        assertThat(Instant.parse(used.path("last_used_at").asText())).isBetween(before, Instant.now().plusSeconds(5));
    }
}
