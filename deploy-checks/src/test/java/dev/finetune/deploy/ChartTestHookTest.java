package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helm test hook (templates/tests/api-test.yaml): a curl Pod that waits for the API's
 * readiness on its Service and makes one call with the operator key, and the NetworkPolicies that
 * let it through.
 */
class ChartTestHookTest {

    static final String POD = "ft-finetune-test-api";

    @Test
    void isAHelmTestHookThatChecksReadinessAndOneAuthenticatedCallOnTheApiService(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.renderWithHooks(tmp, List.of());

        K8sObject pod = rendered.get("Pod", POD);
        assertThat(annotations(pod)).containsEntry("helm.sh/hook", "test")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
        assertThat(pod.at("spec.restartPolicy")).isEqualTo("Never");
        Map<String, Object> container = container(pod);
        PodEnv env = PodEnv.of(container, rendered);

        // the API's Service, by the name and port the chart gives it
        K8sObject service = rendered.get("Service", "ft-finetune-api");
        Object port = Chart.cast(Chart.list(service.at("spec.ports")).get(0)).get("port");
        assertThat(env.byName()).containsEntry("API_URL", "http://ft-finetune-api.finetune.svc:" + port);
        String script = script(container);
        assertThat(script).contains("curl -fsS --retry 10", "\"$API_URL/actuator/health/readiness\"",
                "\"$API_URL/api/v1/datasets\"", "'Authorization: Bearer %s\\n'", "-H @-", "[ \"$status\" != \"200\" ]");
        // the key reaches curl on stdin, never as an argument that ps or an error message could show
        assertThat(script).doesNotContain("-H \"Authorization", "-H 'Authorization", "set -x");
        assertThat(env.secretKeyRef("FINETUNE_BOOTSTRAP_KEY")).isEqualTo(Map.of("name", "finetune-api", "key", "bootstrap-key"));
        assertThat(Chart.list(container.get("command"))).containsExactly("/bin/sh", "-c");
    }

    @Test
    void readsTheOperatorKeyFromTheConfiguredSecretAndKey(@TempDir Path tmp) {
        Path own = Chart.writeValues(tmp, "own.yaml", ChartSecretsTest.OWN_SECRETS);

        Chart.Rendered rendered = Chart.renderWithHooks(tmp, List.of(own));

        PodEnv env = PodEnv.of(container(rendered.get("Pod", POD)), rendered);
        assertThat(env.secretKeyRef("FINETUNE_BOOTSTRAP_KEY")).isEqualTo(Map.of("name", "ops-api-creds", "key", "admin"));
        assertThat(env.names()).containsExactly("API_URL", "FINETUNE_BOOTSTRAP_KEY");
    }

    @Test
    void runsASmallConfigurableImageAsNonRootOnAReadOnlyRootWithoutCapabilities(@TempDir Path tmp) throws Exception {
        Chart.Rendered defaults = Chart.renderWithHooks(tmp.resolve("a"), List.of());
        Path mirror = Chart.writeValues(Files.createDirectories(tmp.resolve("v")), "mirror.yaml", """
                tests:
                  image: {registry: mirror.example.internal, repository: tools/curl, tag: "8.12.1"}
                """);
        Chart.Rendered mirrored = Chart.renderWithHooks(tmp.resolve("b"), List.of(mirror));

        K8sObject pod = defaults.get("Pod", POD);
        assertThat(container(pod).get("image")).isEqualTo("curlimages/curl:8.11.1");
        assertThat(container(mirrored.get("Pod", POD)).get("image")).isEqualTo("mirror.example.internal/tools/curl:8.12.1");
        assertThat(Chart.cast(pod.raw().get("spec"))).containsEntry("automountServiceAccountToken", false);
        assertThat(Chart.cast(pod.at("spec.securityContext")))
                .containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001)
                .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
        assertThat(Chart.cast(container(pod).get("securityContext")))
                .containsEntry("runAsNonRoot", true)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("privileged", false)
                .containsEntry("capabilities", Map.of("drop", List.of("ALL")));
        assertThat(container(pod).get("resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", "10m", "memory", "16Mi"), "limits", Map.of("memory", "64Mi")));
    }

    @Test
    void networkPoliciesLetTheTestPodReachTheApiEvenWhenApiSourcesAreNarrowed(@TempDir Path tmp) throws Exception {
        Path narrowed = Chart.writeValues(Files.createDirectories(tmp.resolve("v")), "narrowed.yaml", """
                networkPolicy:
                  apiAllowedSources:
                    - namespaceSelector:
                        matchLabels:
                          kubernetes.io/metadata.name: ingress-nginx
                """);

        for (Chart.Rendered rendered : List.of(Chart.renderWithHooks(tmp.resolve("a"), List.of()),
                Chart.renderWithHooks(tmp.resolve("b"), List.of(narrowed)))) {
            Map<String, Object> testPodLabels = Chart.cast(Chart.cast(rendered.get("Pod", POD).raw().get("metadata")).get("labels"));
            K8sObject api = rendered.get("NetworkPolicy", "ft-finetune-api");
            assertThat(Chart.list(api.at("spec.ingress"))).as("an API ingress rule admits the test Pod on 8080")
                    .anySatisfy(rule -> assertThat(admits(Chart.cast(rule), testPodLabels, 8080)).isTrue());
            // the test Pod's own policy: egress to DNS and to the API pods' port, nothing else
            K8sObject own = rendered.get("NetworkPolicy", "ft-finetune-test");
            assertThat(testPodLabels).containsAllEntriesOf(Chart.cast(own.at("spec.podSelector.matchLabels")));
            assertThat(own.at("spec.ingress")).isNull();
            Map<String, Object> apiPodLabels = Chart.cast(rendered.get("Deployment", "ft-finetune-api").at("spec.template.metadata.labels"));
            assertThat(Chart.list(own.at("spec.egress"))).hasSize(2).anySatisfy(rule -> {
                Map<String, Object> r = Chart.cast(rule);
                assertThat(r.get("ports")).isEqualTo(List.of(Map.of("port", 8080, "protocol", "TCP")));
                Map<String, Object> to = Chart.cast(Chart.list(r.get("to")).get(0));
                assertThat(apiPodLabels).containsAllEntriesOf(Chart.cast(Chart.cast(to.get("podSelector")).get("matchLabels")));
            });
        }
        // narrowed: other sources still get nothing new
        K8sObject api = Chart.render(List.of(narrowed)).get("NetworkPolicy", "ft-finetune-api");
        assertThat(Chart.list(api.at("spec.ingress"))).allSatisfy(rule -> assertThat(Chart.cast(rule)).containsKey("from"));
    }

    @Test
    void disabledTestsRenderNoPodAndNoPolicy(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.renderWithHooks(tmp, List.of(), "tests.enabled", "false");

        assertThat(rendered.ofKind("Pod")).isEmpty();
        assertThat(rendered.names()).doesNotContain("NetworkPolicy/ft-finetune-test");
    }

    /** Whether a NetworkPolicy ingress rule admits a pod with these labels (same namespace) on this port. */
    static boolean admits(Map<String, Object> rule, Map<String, Object> podLabels, int port) {
        boolean portOk = Chart.list(rule.get("ports")).stream().anyMatch(p -> Integer.valueOf(port).equals(Chart.cast(p).get("port")));
        if (!portOk) {
            return false;
        }
        if (!rule.containsKey("from")) {
            return true;
        }
        return Chart.list(rule.get("from")).stream().map(Chart::cast).anyMatch(peer -> {
            if (peer.containsKey("namespaceSelector") || peer.containsKey("ipBlock") || !peer.containsKey("podSelector")) {
                return false;
            }
            Object match = Chart.cast(peer.get("podSelector")).get("matchLabels");
            return match != null && podLabels.entrySet().containsAll(Chart.cast(match).entrySet());
        });
    }

    private static Map<String, Object> annotations(K8sObject object) {
        return Chart.cast(Chart.cast(object.raw().get("metadata")).get("annotations"));
    }

    private static Map<String, Object> container(K8sObject pod) {
        return Chart.cast(Chart.list(pod.at("spec.containers")).get(0));
    }

    private static String script(Map<String, Object> container) {
        return (String) Chart.list(container.get("args")).get(0);
    }
}
