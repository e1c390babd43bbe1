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
}
