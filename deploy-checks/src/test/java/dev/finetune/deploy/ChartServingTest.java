package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving Deployment (inference-server): its own pods, Service and NetworkPolicy; the Ingress
 * sends exactly the three OpenAI serving paths to it and everything else to the API; it reads the
 * database, the bucket and its finetune.serving settings, runs offline with writable work and DJL
 * cache directories, and a cuda serving pod gets its GPU.
 */
class ChartServingTest {

    static final List<String> SERVING_PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/models");

    @Test
    void servingIsItsOwnDeploymentServiceAndNetworkPolicy() {
        Chart.Rendered rendered = Chart.render(List.of());

        assertThat(rendered.names()).contains("Deployment/ft-finetune-serving", "Service/ft-finetune-serving",
                "NetworkPolicy/ft-finetune-serving");
        K8sObject serving = rendered.get("Deployment", "ft-finetune-serving");
        Map<String, Object> container = serving.containers().get(0);
        assertThat((String) container.get("image")).isEqualTo("finetune/serving-cpu:0.1.0");
        Map<String, Object> env = PodEnv.of(container, rendered).byName();
        assertThat(PodEnv.of(container, rendered).names()).containsAll(AppEnvironment.DATABASE).containsAll(AppEnvironment.STORAGE);
        assertThat(env).containsEntry("DJL_OFFLINE", "true").containsEntry("SERVER_PORT", "8080")
                .containsEntry("FINETUNE_SERVING_DEVICE", "cpu")
                .containsEntry("FINETUNE_SERVING_WORK_DIR", "/var/lib/finetune/serving")
                .containsEntry("FINETUNE_SERVING_CACHE_MAX_ADAPTERS", "32")
                .containsEntry("FINETUNE_SERVING_DECODER_MAX_KV_TOKENS", "32768")
                .doesNotContainKey("FINETUNE_BOOTSTRAP_KEY");
        assertThat(container.toString()).doesNotContain("nvidia.com/gpu");
        assertThat(serving.podSpec().get("volumes").toString()).contains("emptyDir={sizeLimit=50Gi}");

        K8sObject policy = rendered.get("NetworkPolicy", "ft-finetune-serving");
        assertThat(Chart.list(policy.at("spec.ingress"))).singleElement().satisfies(rule ->
                assertThat(Chart.cast(rule).get("ports")).isEqualTo(List.of(Map.of("port", 8080, "protocol", "TCP"))));
        assertThat(Chart.list(policy.at("spec.egress"))).extracting(rule -> Chart.cast(rule).get("ports").toString())
                .containsExactly("[{port=53, protocol=UDP}, {port=53, protocol=TCP}]",
                        "[{port=5432, protocol=TCP}]", "[{port=9000, protocol=TCP}]");
    }

    @Test
    void theIngressRoutesTheServingPathsToServingAndTheRestToTheApi(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "ingress.yaml", """
                api:
                  ingress: {enabled: true, ingressClassName: nginx, hostname: ft.example.test}
                """);

        Chart.Rendered rendered = Chart.render(List.of(values));

        List<Object> paths = Chart.list(Chart.cast(Chart.list(rendered.get("Ingress", "ft-finetune-api").at("spec.rules"))
                .get(0)).get("http") instanceof Map<?, ?> http ? http.get("paths") : null);
        assertThat(paths).extracting(p -> Chart.cast(p).get("path") + " -> " + Chart.cast(Chart.cast(
                Chart.cast(p).get("backend")).get("service")).get("name"))
                .containsExactly("/v1/chat/completions -> ft-finetune-serving", "/v1/completions -> ft-finetune-serving",
                        "/v1/models -> ft-finetune-serving", "/ -> ft-finetune-api");

        Chart.Rendered without = Chart.render(List.of(values), "serving.enabled", "false");
        assertThat(without.names()).doesNotContain("Deployment/ft-finetune-serving", "Service/ft-finetune-serving");
        assertThat(without.get("Ingress", "ft-finetune-api").toString()).doesNotContain("/v1/chat/completions");
    }

    @Test
    void aCudaServingPodGetsItsGpuAndTheGpuImageAndACpuPodThatAsksForOneIsRefused(@TempDir Path tmp) {
        Path cuda = Chart.writeValues(tmp, "cuda.yaml", """
                serving:
                  device: cuda
                  runtimeClassName: nvidia
                  baseModels: [llama-3.1-8b]
                  preload: true
                """);

        Chart.Rendered rendered = Chart.render(List.of(cuda));

        K8sObject serving = rendered.get("Deployment", "ft-finetune-serving");
        Map<String, Object> container = serving.containers().get(0);
        assertThat((String) container.get("image")).isEqualTo("finetune/serving-gpu:0.1.0");
        assertThat(container.get("resources").toString()).contains("nvidia.com/gpu=1");
        assertThat(serving.podSpec()).containsEntry("runtimeClassName", "nvidia");
        assertThat(PodEnv.of(container, rendered).byName()).containsEntry("FINETUNE_SERVING_DEVICE", "cuda")
                .containsEntry("FINETUNE_SERVING_BASE_MODELS", "llama-3.1-8b")
                .containsEntry("FINETUNE_SERVING_PRELOAD", "true");

        K8sObject example = Chart.render(List.of(Chart.gpuValues())).get("Deployment", "ft-finetune-serving");
        assertThat(example.containers().get(0).get("resources").toString()).contains("nvidia.com/gpu=1", "memory=48Gi");
        assertThat(Chart.cast(example.podSpec().get("nodeSelector"))).containsEntry("nvidia.com/gpu.present", "true");

        Path cpuWithGpu = Chart.writeValues(tmp, "cpu-gpu.yaml", """
                serving: {device: cpu, gpu: 2}
                """);
        assertThatThrownBy(() -> Chart.render(List.of(cpuWithGpu))).hasMessageContaining("serving.device is cpu");
    }

    @Test
    void servingHasAPdbWhenItRunsMoreThanOnePodAndAnHpaWhenAsked(@TempDir Path tmp) {
        // one pod by default: a PDB keeping it would block every node drain, so none is rendered
        assertThat(Chart.render(List.of()).names()).doesNotContain("PodDisruptionBudget/ft-finetune-serving",
                "HorizontalPodAutoscaler/ft-finetune-serving");

        Chart.Rendered two = Chart.render(List.of(), "serving.replicaCount", "2");
        K8sObject pdb = two.get("PodDisruptionBudget", "ft-finetune-serving");
        assertThat(pdb.at("spec.minAvailable")).isEqualTo(1);
        assertThat(Chart.cast(pdb.at("spec.selector.matchLabels"))).containsEntry("app.kubernetes.io/component", "serving");
        assertThat(Chart.render(List.of(), "serving.replicaCount", "2", "serving.pdb.create", "false").names())
                .doesNotContain("PodDisruptionBudget/ft-finetune-serving");
        // a percentage of one pod rounds up to that pod: none; from two pods up it is rendered as given
        Path half = Chart.writeValues(tmp, "half.yaml", """
                serving: {pdb: {minAvailable: "50%"}}
                """);
        assertThat(Chart.render(List.of(half)).names()).doesNotContain("PodDisruptionBudget/ft-finetune-serving");
        assertThat(Chart.render(List.of(half), "serving.replicaCount", "3").get("PodDisruptionBudget", "ft-finetune-serving")
                .at("spec.minAvailable")).isEqualTo("50%");

        Path scaled = Chart.writeValues(tmp, "hpa.yaml", """
                serving:
                  autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 8, targetCPU: 60, targetMemory: 80}
                """);
        Chart.Rendered rendered = Chart.render(List.of(scaled));
        K8sObject hpa = rendered.get("HorizontalPodAutoscaler", "ft-finetune-serving");
        assertThat(hpa.at("spec.scaleTargetRef.name")).isEqualTo("ft-finetune-serving");
        assertThat(hpa.at("spec.minReplicas")).isEqualTo(2);
        assertThat(hpa.at("spec.maxReplicas")).isEqualTo(8);
        assertThat(hpa.toString()).contains("averageUtilization=60", "averageUtilization=80");
        // the HPA owns the replica count; the PDB follows its minimum
        assertThat(rendered.get("Deployment", "ft-finetune-serving").at("spec")).asString().doesNotContain("replicas=");
        assertThat(rendered.names()).contains("PodDisruptionBudget/ft-finetune-serving");
    }

    @Test
    void aMergedPoolIsItsOwnDeploymentAndServicePinnedToOneModelAndTheIngressStillRoutesToTheSharedPool(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "merged.yaml", """
                api:
                  ingress: {enabled: true, ingressClassName: nginx, hostname: ft.example.test}
                serving:
                  mergedPools:
                    - name: support-prod
                      tenant: acme
                      model: support@production
                      replicaCount: 3
                      resources: {limits: {memory: 12Gi}}
                """);

        Chart.Rendered rendered = Chart.render(List.of(values));

        assertThat(rendered.names()).contains("Deployment/ft-finetune-serving", "Service/ft-finetune-serving",
                "Deployment/ft-finetune-serving-support-prod", "Service/ft-finetune-serving-support-prod",
                "PodDisruptionBudget/ft-finetune-serving-support-prod");
        K8sObject pool = rendered.get("Deployment", "ft-finetune-serving-support-prod");
        assertThat(pool.at("spec.replicas")).isEqualTo(3);
        Map<String, Object> container = pool.containers().get(0);
        assertThat(container.get("resources").toString()).contains("memory=12Gi");
        Map<String, Object> env = PodEnv.of(container, rendered).byName();
        assertThat(env).containsEntry("FINETUNE_SERVING_MERGED_MODEL", "support@production")
                .containsEntry("FINETUNE_SERVING_MERGED_TENANT", "acme")
                .containsEntry("FINETUNE_SERVING_DEVICE", "cpu")
                .containsEntry("FINETUNE_SERVING_CACHE_MAX_ADAPTERS", "32");
        assertThat(PodEnv.of(container, rendered).names()).containsAll(AppEnvironment.DATABASE).containsAll(AppEnvironment.STORAGE);
        // the shared pool is unchanged: no merged setting, and its Service never selects a merged pod
        Map<String, Object> shared = rendered.get("Deployment", "ft-finetune-serving").containers().get(0);
        assertThat(PodEnv.of(shared, rendered).byName()).doesNotContainKey("FINETUNE_SERVING_MERGED_MODEL");
        assertThat(rendered.get("Deployment", "ft-finetune-serving").at("spec.replicas")).isEqualTo(1);
        Map<String, Object> poolLabels = Chart.cast(pool.at("spec.template.metadata.labels"));
        Map<String, Object> sharedSelector = Chart.cast(rendered.get("Service", "ft-finetune-serving").at("spec.selector"));
        assertThat(sharedSelector).containsEntry("app.kubernetes.io/component", "serving");
        assertThat(poolLabels).containsEntry("app.kubernetes.io/component", "serving-merged")
                .containsEntry("finetune.dev/serving-pool", "support-prod");
        assertThat(poolLabels.entrySet()).containsAll(Chart.cast(
                rendered.get("Service", "ft-finetune-serving-support-prod").at("spec.selector")).entrySet());
        assertThat(poolLabels.entrySet()).containsAll(Chart.cast(pool.at("spec.selector.matchLabels")).entrySet());
        // the serving NetworkPolicy covers the merged pods too
        assertThat(rendered.get("NetworkPolicy", "ft-finetune-serving").at("spec.podSelector").toString())
                .contains("values=[serving, serving-merged]");
        // the Ingress routes as before: the three paths to the shared pool
        assertThat(rendered.get("Ingress", "ft-finetune-api").toString()).doesNotContain("support-prod");
    }

    @Test
    void aMergedPoolThatNamesNoAdapterOrNoTenantIsRefused(@TempDir Path tmp) {
        Path base = Chart.writeValues(tmp, "base.yaml", """
                serving:
                  mergedPools: [{name: plain, tenant: acme, model: tinystories-656k}]
                """);
        assertThatThrownBy(() -> Chart.render(List.of(base))).hasMessageContaining("model");
        Path noTenant = Chart.writeValues(tmp, "no-tenant.yaml", """
                serving:
                  mergedPools: [{name: p, tenant: "", model: support/3}]
                """);
        assertThatThrownBy(() -> Chart.render(List.of(noTenant))).hasMessageContaining("tenant");
    }
}
