package dev.finetune.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;

import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

@SpringBootTest
@RealInfrastructure
class ApiKeyTest {

    @Autowired
    ApiKeyRepository keys;
    @Autowired
    TestData data;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void authenticatesTheIssuedTokenAndStoresOnlyItsHash() {
        // given
        Fixture f = data.tenant("keys");
        IssuedApiKey issued = ApiKey.issue(f.tenant().id(), "ci", Set.of(ApiKeyScope.SUBMIT));
        keys.save(issued.key());
        String plaintext = issued.token().reveal();

        // when
        var found = keys.authenticate(ApiKeyToken.parse(plaintext).orElseThrow());

        // then
        assertThat(found).isPresent();
        assertThat(found.get().tenantId()).isEqualTo(f.tenant().id());
        assertThat(found.get().allows(ApiKeyScope.READ)).isTrue();
        assertThat(found.get().allows(ApiKeyScope.ADMIN)).isFalse();
        String secretPart = plaintext.substring(issued.token().prefix().length() + 1); // may itself contain '_'
        assertThat(secretPart).hasSize(43);
        Integer rowsMentioningSecret = jdbc.queryForObject(
                "SELECT count(*) FROM api_keys WHERE id = ? AND position(? in prefix || name"
                        + " || encode(secret_sha256, 'escape') || array_to_string(scopes, ',')) > 0",
                Integer.class, issued.key().getId(), secretPart);
        assertThat(rowsMentioningSecret).isZero();
        assertThat(issued.toString()).doesNotContain(secretPart);
        assertThat(issued.token().toString()).doesNotContain(secretPart);
    }

    @Test
    void rejectsAWrongSecretAndARevokedKey() {
        // given
        Fixture f = data.tenant("revoke");
        IssuedApiKey issued = ApiKey.issue(f.tenant().id(), "old", Set.of(ApiKeyScope.ADMIN));
        keys.save(issued.key());
        String forged = issued.token().prefix() + "_" + "A".repeat(43);

        // when
        var wrong = keys.authenticate(ApiKeyToken.parse(forged).orElseThrow());
        ApiKey key = keys.findByPrefix(issued.token().prefix()).orElseThrow();
        key.revoke(Instant.now());
        keys.save(key);
        var afterRevoke = keys.authenticate(ApiKeyToken.parse(issued.token().reveal()).orElseThrow());

        // then
        assertThat(wrong).isEmpty();
        assertThat(afterRevoke).isEmpty();
        assertThat(ApiKeyToken.parse("not-a-key")).isEmpty();
    }
}
