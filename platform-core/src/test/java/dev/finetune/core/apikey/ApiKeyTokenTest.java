package dev.finetune.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyTokenTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void mapsAnOperatorSecretToTheSameKeyAtBootstrapAndWhenPresented() {
        // given what 'openssl rand -hex 32' and 'openssl rand -base64 32' print
        for (String secret : new String[] {HexFormat.of().formatHex(bytes(32)), Base64.getEncoder().encodeToString(bytes(32))}) {
            // when
            ApiKeyToken atBootstrap = ApiKeyToken.fromOperatorSecret(secret);
            ApiKeyToken presented = ApiKeyToken.fromBearer(" " + secret + " ").orElseThrow();

            // then both are one key of the usual shape, and the secret is not its plaintext
            assertThat(presented.prefix()).isEqualTo(atBootstrap.prefix()).matches("ftk_[a-z2-9]{8}");
            assertThat(presented.secretSha256()).isEqualTo(atBootstrap.secretSha256());
            assertThat(ApiKeyToken.parse(atBootstrap.reveal())).isPresent();
            assertThat(atBootstrap.reveal()).doesNotContain(secret);
        }
    }

    @Test
    void differentSecretsMapToDifferentKeys() {
        String a = HexFormat.of().formatHex(bytes(32));
        String b = a.substring(0, 63) + (a.charAt(63) == '0' ? '1' : '0');
        assertThat(ApiKeyToken.fromOperatorSecret(a).secretSha256()).isNotEqualTo(ApiKeyToken.fromOperatorSecret(b).secretSha256());
    }

    @Test
    void takesAGeneratedKeyAsItIs() {
        ApiKeyToken key = ApiKeyToken.generate();
        assertThat(ApiKeyToken.fromOperatorSecret(key.reveal()).reveal()).isEqualTo(key.reveal());
        assertThat(ApiKeyToken.fromBearer(key.reveal()).orElseThrow().reveal()).isEqualTo(key.reveal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ft-bootstrap-local-only", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababababababababab",
        "correct horse battery staple and more words", ""})
    void refusesWeakOperatorSecretsWithoutRepeatingThem(String weak) {
        assertThatThrownBy(() -> ApiKeyToken.fromOperatorSecret(weak)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operator secret").hasMessageContaining("openssl rand -hex 32")
                .satisfies(e -> {
                    if (!weak.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(weak);
                    }
                });
    }

    @Test
    void presentsNothingForValuesThatAreNeitherKeysNorSecrets() {
        assertThat(ApiKeyToken.fromBearer(null)).isEmpty();
        assertThat(ApiKeyToken.fromBearer("not-a-key")).isEmpty();
        assertThat(ApiKeyToken.fromBearer("has spaces in it but is long enough to be one")).isEmpty();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
