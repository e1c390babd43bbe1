package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.finetune.core.apikey.ApiKeyToken;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Every documented way of choosing the operator key works with the API's real validator
 * ({@link ApiKeyToken#fromOperatorSecret}): the compose file's default, and each {@code openssl
 * rand} command the ops guides and the chart's NOTES tell an operator to run.
 */
class BootstrapKeyDocsTest {

    static final String VARIABLE = "FINETUNE_BOOTSTRAP_KEY";
    private static final List<String> GUIDES = List.of("deploy/README.md", "helm/README.md", "helm/finetune/templates/NOTES.txt");
    private static final Pattern OPENSSL_RAND = Pattern.compile("openssl rand -(hex|base64) (\\d+)");
    private static final Pattern INTERPOLATION = Pattern.compile("^\\$\\{" + VARIABLE + ":-(.*)}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void composeDefaultIsUnsetOrAValidOperatorKey() {
        Map<String, Object> api = Chart.cast(Chart.cast(Chart.loadYaml(ComposeFileTest.compose()).get("services")).get("api"));
        String value = Chart.cast(api.get("environment")).get(VARIABLE).toString();

        Matcher interpolation = INTERPOLATION.matcher(value);
        assertThat(interpolation.matches()).as("%s = %s reads the shell's variable", VARIABLE, value).isTrue();
        String fallback = interpolation.group(1);
        if (!fallback.isEmpty()) {
            assertThatCode(() -> ApiKeyToken.fromOperatorSecret(fallback)).as("compose default of %s", VARIABLE)
                    .doesNotThrowAnyException();
        }
    }

    /** Repeated: a hex secret sometimes lacks a few of its 16 digits, and must still pass. */
    @RepeatedTest(200)
    void everyDocumentedOpensslCommandPrintsAnAcceptedKey() throws IOException {
        List<String> commands = documentedCommands();
        assertThat(commands).as("the guides tell the operator how to make a bootstrap key").isNotEmpty();
        for (String command : commands) {
            String printed = opensslRand(command);
            assertThatCode(() -> ApiKeyToken.fromOperatorSecret(printed)).as(command).doesNotThrowAnyException();
            assertThat(ApiKeyToken.fromBearer(printed)).as("%s output presented as Bearer", command)
                    .hasValueSatisfying(k -> assertThat(k.prefix()).isEqualTo(ApiKeyToken.fromOperatorSecret(printed).prefix()));
        }
    }

    @Test
    void theOldSampleValueIsGoneAndWouldBeRefused() throws IOException {
        for (String guide : GUIDES) {
            assertThat(Files.readString(Chart.repoRoot().resolve(guide))).as(guide).doesNotContain("ft-bootstrap-local-only");
        }
        assertThat(Files.readString(ComposeFileTest.compose())).doesNotContain("ft-bootstrap-local-only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiKeyToken.fromOperatorSecret("ft-bootstrap-local-only"))
                .hasMessageContaining("at least 32");
    }

    private static List<String> documentedCommands() throws IOException {
        List<String> found = new ArrayList<>();
        for (String guide : GUIDES) {
            Path file = Chart.repoRoot().resolve(guide);
            Matcher m = OPENSSL_RAND.matcher(Files.readString(file));
            while (m.find()) {
                found.add(m.group());
            }
        }
        return found;
    }

    /** What {@code openssl rand -hex N} / {@code -base64 N} prints, from the same number of random bytes. */
    private static String opensslRand(String command) {
        Matcher m = OPENSSL_RAND.matcher(command);
        assertThat(m.matches()).isTrue();
        byte[] bytes = new byte[Integer.parseInt(m.group(2))];
        RANDOM.nextBytes(bytes);
        return m.group(1).equals("hex") ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes);
    }
}
