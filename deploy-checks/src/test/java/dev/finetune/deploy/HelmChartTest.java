package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** helm lint and helm template (bundled native helm, offline) and what the rendered objects say. */
class HelmChartTest {

    static Chart.Rendered defaults;
    static Chart.Rendered gpu;

    @BeforeAll
    static void render() {
        defaults = Chart.render(List.of());
        gpu = Chart.render(List.of(Chart.gpuValues()));
    }

    @Test
    void lintPassesStrictlyWithDefaultValues() {
        LintResult result = new Helm(Chart.dir()).lint().strict().call();

        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void lintPassesStrictlyWithGpuValues(@TempDir Path tmp) {
        // helm-java's lint takes no -f: lint a copy whose values.yaml has values-gpu.yaml merged in
        Path chart = ChartCopy.withValues(tmp.resolve("finetune"), List.of(Chart.gpuValues()));

        LintResult result = new Helm(chart).lint().strict().call();

        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void rendersApiCpuWorkerAndTheirSupportingObjectsByDefault() {
        assertThat(defaults.names()).contains(
                "Deployment/ft-finetune-api", "Service/ft-finetune-api", "ConfigMap/ft-finetune",
                "ServiceAccount/ft-finetune", "PodDisruptionBudget/ft-finetune-api",
                "NetworkPolicy/ft-finetune-api", "NetworkPolicy/ft-finetune-worker",
                "Deployment/ft-finetune-worker-cpu", "PodDisruptionBudget/ft-finetune-worker-cpu",
                "Service/ft-finetune-worker-metrics");
        assertThat(defaults.objects()).extracting(K8sObject::kind)
                .doesNotContain("Ingress", "HorizontalPodAutoscaler", "ServiceMonitor", "ScaledObject", "Secret");
    }

    @Test
    void gpuPoolRequestsNvidiaGpusAndCpuPoolsNever() {
        K8sObject gpuWorker = gpu.get("Deployment", "ft-finetune-worker-gpu");
        Map<String, Object> limits = Chart.cast(Chart.cast(gpuWorker.containers().get(0).get("resources")).get("limits"));
        assertThat(limits).containsEntry("nvidia.com/gpu", 1).containsEntry("memory", "48Gi");
        assertThat(PodEnv.of(gpuWorker.containers().get(0), gpu).byName()).containsEntry("FINETUNE_WORKER_DEVICE", "cuda");
        assertThat((String) gpuWorker.containers().get(0).get("image")).isEqualTo("finetune/worker-gpu:0.1.0");

        for (Chart.Rendered rendered : List.of(defaults, gpu)) {
            K8sObject cpuWorker = rendered.get("Deployment", "ft-finetune-worker-cpu");
            assertThat(cpuWorker.containers().get(0).toString()).doesNotContain("nvidia.com/gpu");
            assertThat((String) cpuWorker.containers().get(0).get("image")).isEqualTo("finetune/worker-cpu:0.1.0");
            assertThat(rendered.get("Deployment", "ft-finetune-api").toString()).doesNotContain("nvidia.com/gpu");
        }
    }

    @Test
    void gpuPoolLandsOnItsNodePool() {
        Map<String, Object> pod = gpu.get("Deployment", "ft-finetune-worker-gpu").podSpec();

        assertThat(pod).containsEntry("runtimeClassName", "nvidia").containsEntry("priorityClassName", "finetune-gpu-training");
        assertThat(Chart.cast(pod.get("nodeSelector"))).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(Chart.list(pod.get("tolerations"))).singleElement()
                .satisfies(t -> assertThat(Chart.cast(t)).containsEntry("key", "nvidia.com/gpu").containsEntry("effect", "NoSchedule"));
        assertThat(gpu.get("Deployment", "ft-finetune-worker-cpu").podSpec())
                .doesNotContainKeys("runtimeClassName", "priorityClassName", "tolerations", "nodeSelector");
    }

    @Test
    void cudaPoolWithoutAGpuCountGetsOneGpu(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "cuda.yaml", """
                workers:
                  - {name: gpu, enabled: true, replicas: 1, device: cuda}
                """);

        Chart.Rendered rendered = Chart.render(List.of(values));

        Object limits = rendered.get("Deployment", "ft-finetune-worker-gpu").at("spec.template.spec.containers");
        assertThat(limits.toString()).contains("nvidia.com/gpu=1");
    }

    @Test
    void refusesACpuPoolThatAsksForGpus(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "cpu-gpu.yaml", """
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu, gpu: 2}
                """);

        assertThatThrownBy(() -> Chart.render(List.of(values)))
                .hasMessageContaining("device is cpu");
    }

    @Test
    void everyContainerHasStartupLivenessAndReadinessProbesOnTheActuator() {
        for (Chart.Rendered rendered : List.of(defaults, gpu)) {
            for (K8sObject deployment : rendered.ofKind("Deployment")) {
                boolean worker = deployment.name().contains("-worker-");
                String port = worker ? "management" : "http";
                for (Map<String, Object> container : deployment.containers()) {
                    assertThat(probePath(container, "startupProbe", port)).isEqualTo("/actuator/health/liveness");
                    assertThat(probePath(container, "livenessProbe", port)).isEqualTo("/actuator/health/liveness");
                    assertThat(probePath(container, "readinessProbe", port)).isEqualTo("/actuator/health/readiness");
                }
                assertThat(containerPort(deployment, port)).isEqualTo(worker ? 8081 : 8080);
            }
        }
    }

    @Test
    void everyContainerGetsTheVariablesItsApplicationReads() {
        PodEnv api = PodEnv.of(defaults.get("Deployment", "ft-finetune-api").containers().get(0), defaults);
        assertThat(api.names()).containsAll(AppEnvironment.api());
        assertThat(api.names()).doesNotContainAnyElementsOf(AppEnvironment.WORKER_ONLY.subList(0, 4));

        for (Chart.Rendered rendered : List.of(defaults, gpu)) {
            for (K8sObject worker : rendered.ofKind("Deployment")) {
                if (!worker.name().contains("-worker-")) {
                    continue;
                }
                PodEnv env = PodEnv.of(worker.containers().get(0), rendered);
                assertThat(env.names()).as(worker.name()).containsAll(AppEnvironment.worker());
                assertThat(env.byName()).containsEntry("DJL_OFFLINE", "true")
                        .containsEntry("MANAGEMENT_SERVER_PORT", "8081")
                        .doesNotContainKey("FINETUNE_BOOTSTRAP_KEY");
                assertThat(Chart.list(worker.containers().get(0).get("args"))).containsExactly("worker");
            }
        }
    }

    @Test
    void workersGetAGracePeriodForAStepACheckpointAndTheLeaseRelease() {
        assertThat(defaults.get("Deployment", "ft-finetune-worker-cpu").podSpec())
                .containsEntry("terminationGracePeriodSeconds", 300);
        assertThat(gpu.get("Deployment", "ft-finetune-worker-gpu").podSpec())
                .containsEntry("terminationGracePeriodSeconds", 600);
        // replacing a worker never starts a second trainer beside it, and a drain evicts one at a time
        assertThat(defaults.get("Deployment", "ft-finetune-worker-cpu").at("spec.strategy.rollingUpdate").toString())
                .contains("maxSurge=0");
        assertThat(defaults.get("PodDisruptionBudget", "ft-finetune-worker-cpu").at("spec.maxUnavailable")).isEqualTo(1);
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootWithoutCapabilitiesOrToken() {
        for (Chart.Rendered rendered : List.of(defaults, gpu)) {
            for (K8sObject deployment : rendered.ofKind("Deployment")) {
                Map<String, Object> pod = deployment.podSpec();
                assertThat(pod).containsEntry("automountServiceAccountToken", false);
                assertThat(Chart.cast(pod.get("securityContext")))
                        .containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001)
                        .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
                for (Map<String, Object> container : deployment.containers()) {
                    assertThat(Chart.cast(container.get("securityContext")))
                            .containsEntry("runAsNonRoot", true)
                            .containsEntry("readOnlyRootFilesystem", true)
                            .containsEntry("allowPrivilegeEscalation", false)
                            .containsEntry("privileged", false)
                            .containsEntry("capabilities", Map.of("drop", List.of("ALL")))
                            .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
                    assertThat(mountPaths(container)).contains("/tmp");
                }
            }
        }
        Map<String, Object> worker = defaults.get("Deployment", "ft-finetune-worker-cpu").containers().get(0);
        assertThat(mountPaths(worker)).contains("/var/lib/finetune/work", "/var/cache/djl");
        assertThat(PodEnv.of(worker, defaults).byName())
                .containsEntry("FINETUNE_WORKER_WORK_DIR", "/var/lib/finetune/work")
                .containsEntry("DJL_CACHE_DIR", "/var/cache/djl");
        assertThat(defaults.get("Deployment", "ft-finetune-worker-cpu").podSpec().get("volumes").toString())
                .contains("emptyDir={sizeLimit=50Gi}", "emptyDir={sizeLimit=2Gi}");
    }

    @Test
    void networkPoliciesOpenOnlyTheServicePortsAndEgressToDatabaseStorageAndDns() {
        K8sObject api = defaults.get("NetworkPolicy", "ft-finetune-api");
        assertThat(Chart.list(api.at("spec.policyTypes"))).containsExactly("Ingress", "Egress");
        assertThat(Chart.list(api.at("spec.ingress"))).singleElement().satisfies(rule ->
                assertThat(Chart.cast(rule).get("ports")).isEqualTo(List.of(Map.of("port", 8080, "protocol", "TCP"))));
        K8sObject worker = defaults.get("NetworkPolicy", "ft-finetune-worker");
        assertThat(Chart.list(worker.at("spec.ingress"))).singleElement().satisfies(rule ->
                assertThat(Chart.cast(rule).get("ports")).isEqualTo(List.of(Map.of("port", 8081, "protocol", "TCP"))));
        for (K8sObject policy : List.of(api, worker)) {
            assertThat(Chart.list(policy.at("spec.egress"))).extracting(rule -> Chart.cast(rule).get("ports").toString())
                    .containsExactly("[{port=53, protocol=UDP}, {port=53, protocol=TCP}]",
                            "[{port=5432, protocol=TCP}]", "[{port=9000, protocol=TCP}]");
        }
    }

    @Test
    void apiIngressComesOnlyFromAllowedSourcesWhenTheyAreGiven(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "sources.yaml", """
                networkPolicy:
                  apiAllowedSources:
                    - namespaceSelector:
                        matchLabels:
                          kubernetes.io/metadata.name: ingress-nginx
                postgresql:
                  networkPolicyPeers:
                    - ipBlock:
                        cidr: 10.20.0.0/16
                """);

        Chart.Rendered rendered = Chart.render(List.of(values));

        assertThat(rendered.get("NetworkPolicy", "ft-finetune-api").at("spec.ingress").toString())
                .contains("from=[{namespaceSelector={matchLabels={kubernetes.io/metadata.name=ingress-nginx}}}]");
        assertThat(rendered.get("NetworkPolicy", "ft-finetune-worker").at("spec.egress").toString())
                .contains("to=[{ipBlock={cidr=10.20.0.0/16}}]");
    }

    @Test
    void optionalIngressAutoscalerServiceMonitorsAndKedaRenderWhenEnabled(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "optional.yaml", """
                api:
                  ingress: {enabled: true, ingressClassName: nginx, hostname: ft.example.test, tls: true}
                  autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5}
                metrics:
                  serviceMonitor: {enabled: true, labels: {release: prometheus}}
                  auth: {existingSecret: finetune-metrics}
                workerDefaults:
                  keda: {enabled: true, maxReplicaCount: 8}
                """);

        Chart.Rendered rendered = Chart.render(List.of(values));

        assertThat(rendered.get("Ingress", "ft-finetune-api").at("spec.tls").toString()).contains("ft.example.test-tls");
        assertThat(rendered.get("HorizontalPodAutoscaler", "ft-finetune-api").at("spec.maxReplicas")).isEqualTo(5);
        assertThat(rendered.get("Deployment", "ft-finetune-api").at("spec.replicas")).isNull();
        assertThat(rendered.ofKind("ServiceMonitor")).extracting(o -> o.at("spec.endpoints").toString())
                .containsExactlyInAnyOrder("[{port=http, path=/actuator/prometheus, interval=30s, "
                                + "authorization={type=Bearer, credentials={name=finetune-metrics, key=metrics-token}}}]",
                        "[{port=management, path=/actuator/prometheus, interval=30s}]");
        K8sObject scaled = rendered.get("ScaledObject", "ft-finetune-worker-cpu");
        assertThat(scaled.raw()).containsEntry("apiVersion", "keda.sh/v1alpha1");
        assertThat(scaled.at("spec.scaleTargetRef.name")).isEqualTo("ft-finetune-worker-cpu");
        assertThat(scaled.at("spec.maxReplicaCount")).isEqualTo(8);
        assertThat(scaled.at("spec.triggers").toString()).contains("type=prometheus", "finetune_queue_depth");
        // KEDA owns the replica count: a replicas field would fight it on every upgrade
        assertThat(rendered.get("Deployment", "ft-finetune-worker-cpu").at("spec.replicas")).isNull();
    }

    @Test
    void configChangesRollThePods() {
        Object before = defaults.get("Deployment", "ft-finetune-api").at("spec.template.metadata.annotations");
        Object after = Chart.render(List.of(), "storage.bucket", "other-bucket")
                .get("Deployment", "ft-finetune-api").at("spec.template.metadata.annotations");

        assertThat(after).isNotEqualTo(before);
    }

    private static String probePath(Map<String, Object> container, String probe, String port) {
        Map<String, Object> httpGet = Chart.cast(Chart.cast(container.get(probe)).get("httpGet"));
        assertThat(httpGet).as(probe).containsEntry("port", port);
        return (String) httpGet.get("path");
    }

    private static Object containerPort(K8sObject deployment, String name) {
        return Chart.list(deployment.containers().get(0).get("ports")).stream().map(Chart::cast)
                .filter(p -> name.equals(p.get("name"))).findFirst().orElseThrow().get("containerPort");
    }

    private static List<Object> mountPaths(Map<String, Object> container) {
        return Chart.list(container.get("volumeMounts")).stream().map(m -> Chart.cast(m).get("mountPath")).toList();
    }
}
