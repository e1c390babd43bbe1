package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Credentials reach pods only as secretKeyRefs to the operator's existing Secrets. */
class ChartSecretsTest {

    /** What a careless override might carry; none of it may ever reach a manifest. */
    static final String INLINE_CREDENTIALS = """
            postgresql:
              password: FAKE-PG-PASSWORD-91f3c2
              auth:
                username: FAKE-PG-USER-91f3c2
                password: FAKE-PG-PASSWORD-91f3c2
            storage:
              accessKey: FAKE-S3-ACCESS-91f3c2
              secretKey: FAKE-S3-SECRET-91f3c2
              auth:
                accessKey: FAKE-S3-ACCESS-91f3c2
                secretKey: FAKE-S3-SECRET-91f3c2
            api:
              bootstrapKey: FAKE-BOOTSTRAP-91f3c2
              auth:
                bootstrapKey: FAKE-BOOTSTRAP-91f3c2
            """;

    static final String OWN_SECRETS = """
            postgresql:
              auth: {existingSecret: ops-db-creds, usernameKey: user, passwordKey: pass}
            storage:
              auth: {existingSecret: ops-s3-creds, accessKeyKey: id, secretKeyKey: key}
            api:
              auth: {existingSecret: ops-api-creds, bootstrapKeyKey: admin}
            """;

    @Test
    void everyCredentialIsASecretKeyRefToTheConfiguredExistingSecret(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.gpuValues(), Chart.writeValues(tmp, "own.yaml", OWN_SECRETS)));
        Map<String, List<String>> expected = Map.of(
                "SPRING_DATASOURCE_USERNAME", List.of("ops-db-creds", "user"),
                "SPRING_DATASOURCE_PASSWORD", List.of("ops-db-creds", "pass"),
                "FINETUNE_STORAGE_ACCESS_KEY", List.of("ops-s3-creds", "id"),
                "FINETUNE_STORAGE_SECRET_KEY", List.of("ops-s3-creds", "key"),
                "FINETUNE_BOOTSTRAP_KEY", List.of("ops-api-creds", "admin"));

        int checked = 0;
        for (K8sObject deployment : rendered.ofKind("Deployment")) {
            for (Map<String, Object> container : deployment.containers()) {
                PodEnv env = PodEnv.of(container, rendered);
                for (String name : AppEnvironment.CREDENTIALS) {
                    if (!env.byName().containsKey(name)) {
                        continue;
                    }
                    Map<String, Object> ref = env.secretKeyRef(name);
                    assertThat(ref).as(deployment.name() + " " + name).isNotNull();
                    assertThat(List.of(ref.get("name"), ref.get("key"))).as(name).isEqualTo(expected.get(name));
                    checked++;
                }
            }
        }
        assertThat(checked).as("credential variables seen on api + 2 worker pools + serving").isEqualTo(5 + 4 + 4 + 4);
    }

    @Test
    void noSecretObjectAndNoCredentialInAConfigMapOrALiteralEnvValue() {
        for (Chart.Rendered rendered : List.of(Chart.render(List.of()), Chart.render(List.of(Chart.gpuValues())))) {
            assertThat(rendered.ofKind("Secret")).isEmpty();
            for (K8sObject configMap : rendered.ofKind("ConfigMap")) {
                assertThat(Chart.cast(configMap.at("data")).keySet())
                        .doesNotContainAnyElementsOf(AppEnvironment.CREDENTIALS)
                        .noneMatch(key -> key.matches(".*(PASSWORD|SECRET|TOKEN|_KEY)$"));
            }
            for (K8sObject deployment : rendered.ofKind("Deployment")) {
                for (Map<String, Object> container : deployment.containers()) {
                    for (Object entry : Chart.list(container.get("env"))) {
                        Map<String, Object> var = Chart.cast(entry);
                        if (((String) var.get("name")).matches(".*(PASSWORD|SECRET|TOKEN|_KEY|USERNAME)$")) {
                            assertThat(var).as(var.get("name").toString()).doesNotContainKey("value");
                        }
                    }
                }
            }
        }
    }

    @Test
    void schemaRefusesInlineCredentials(@TempDir Path tmp) {
        Path careless = Chart.writeValues(tmp, "careless.yaml", INLINE_CREDENTIALS);

        assertThatThrownBy(() -> Chart.render(List.of(careless)))
                .hasMessageContaining("schema")
                .hasMessageContaining("additional properties");
    }

    @Test
    void templatesNeverRenderInlineCredentialsEvenWithoutTheSchema(@TempDir Path tmp) throws Exception {
        // as with helm --skip-schema-validation: only the templates stand between the values and the manifests
        Path chart = ChartCopy.of(tmp.resolve("finetune"));
        Files.delete(chart.resolve("values.schema.json"));
        Path careless = Chart.writeValues(tmp, "careless.yaml", INLINE_CREDENTIALS);

        String manifests = Chart.template(chart, List.of(Chart.gpuValues(), careless));

        assertThat(manifests).contains("kind: Deployment").doesNotContain("FAKE-").doesNotContain("91f3c2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql.auth.existingSecret", "storage.auth.existingSecret", "api.auth.existingSecret"})
    void refusesToRenderWithoutTheExistingSecret(String value) {
        assertThatThrownBy(() -> Chart.render(List.of(), value, ""))
                .hasMessageContaining("existingSecret");
    }
}
