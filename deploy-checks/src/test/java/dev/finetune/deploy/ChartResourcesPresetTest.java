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
import org.junit.jupiter.params.provider.CsvSource;

/** api.resourcesPreset and workers[i].resourcesPreset: sized requests and limits, an explicit block wins. */
class ChartResourcesPresetTest {

    @Test
    void defaultsRenderNoRequestsOrLimits() {
        Chart.Rendered rendered = Chart.render(List.of());

        assertThat(api(rendered)).doesNotContainKey("resources");
        assertThat(worker(rendered, "cpu")).doesNotContainKey("resources");
    }

    @ParameterizedTest
    @CsvSource({
            "api, small, 250m, 512Mi, 1Gi",
            "api, medium, 500m, 1Gi, 2Gi",
            "worker, small, 2, 8Gi, 8Gi",
            "worker, medium, 4, 16Gi, 16Gi"})
    void eachPresetRendersItsDocumentedNumbers(String component, String preset, String cpu, String memory, String limit,
            @TempDir Path tmp) throws Exception {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "preset.yaml", """
                api: {resourcesPreset: %1$s}
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu, resourcesPreset: %1$s}
                """.formatted(preset))));

        Map<String, Object> container = component.equals("api") ? api(rendered) : worker(rendered, "cpu");
        assertThat(container.get("resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", cpu, "memory", memory), "limits", Map.of("memory", limit)));
        assertThat(documentedRows()).contains("| %s | `%s` | %s | %s | %s | - |".formatted(component, preset, cpu, memory, limit));
        String param = component.equals("api") ? "api.resourcesPreset" : "workers[0].resourcesPreset";
        assertThat(paramComment(param)).contains("%s (requests %s CPU / %s, limit %s memory)".formatted(preset, cpu, memory, limit));
    }

    @Test
    void gpuPresetSizesACudaPoolAndAddsItsGpuLimit(@TempDir Path tmp) throws Exception {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "gpu.yaml", """
                workers:
                  - {name: gpu, enabled: true, replicas: 1, device: cuda, resourcesPreset: gpu}
                  - {name: big, enabled: true, replicas: 1, device: cuda, gpu: 2, resourcesPreset: gpu}
                """)));

        assertThat(worker(rendered, "gpu").get("resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", "4", "memory", "32Gi"), "limits", Map.of("memory", "48Gi", "nvidia.com/gpu", 1)));
        assertThat(Chart.cast(Chart.cast(worker(rendered, "big").get("resources")).get("limits")))
                .containsEntry("nvidia.com/gpu", 2);
        assertThat(documentedRows()).contains("| worker | `gpu` | 4 | 32Gi | 48Gi | `workers[i].gpu` (1 when unset) |");
        assertThat(paramComment("workers[0].resourcesPreset"))
                .contains("gpu (requests 4 CPU / 32Gi, limit 48Gi memory, plus the nvidia.com/gpu limit; device cuda only)");
        // the bundled GPU example uses the preset
        assertThat(worker(Chart.render(List.of(Chart.gpuValues())), "gpu").get("resources")).isEqualTo(Map.of(
                "requests", Map.of("cpu", "4", "memory", "32Gi"), "limits", Map.of("memory", "48Gi", "nvidia.com/gpu", 1)));
    }

    @Test
    void anExplicitResourcesBlockWinsOverThePreset(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "explicit.yaml", """
                api:
                  resourcesPreset: medium
                  resources: {requests: {cpu: 100m, memory: 256Mi}}
                workers:
                  - name: cpu
                    enabled: true
                    replicas: 1
                    device: cpu
                    resourcesPreset: medium
                    resources: {requests: {cpu: "1"}, limits: {memory: 3Gi}}
                  - name: gpu
                    enabled: true
                    replicas: 1
                    device: cuda
                    resourcesPreset: gpu
                    resources: {limits: {memory: 64Gi}}
                """)));

        assertThat(api(rendered).get("resources")).isEqualTo(Map.of("requests", Map.of("cpu", "100m", "memory", "256Mi")));
        assertThat(worker(rendered, "cpu").get("resources"))
                .isEqualTo(Map.of("requests", Map.of("cpu", "1"), "limits", Map.of("memory", "3Gi")));
        assertThat(worker(rendered, "gpu").get("resources"))
                .isEqualTo(Map.of("limits", Map.of("memory", "64Gi", "nvidia.com/gpu", 1)));
    }

    @Test
    void refusesTheGpuPresetOnACpuPool(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "cpu-gpu.yaml", """
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu, resourcesPreset: gpu}
                """);

        assertThatThrownBy(() -> Chart.render(List.of(values))).hasMessageContaining("resourcesPreset is gpu but device is cpu");
    }

    @Test
    void schemaAndTemplatesRefuseUnknownPresets(@TempDir Path tmp) throws Exception {
        Path large = Chart.writeValues(tmp, "large.yaml", """
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu, resourcesPreset: large}
                """);
        Path apiGpu = Chart.writeValues(tmp, "api-gpu.yaml", "api: {resourcesPreset: gpu}\n");

        assertThatThrownBy(() -> Chart.render(List.of(large))).hasMessageContaining("schema").hasMessageContaining("resourcesPreset");
        assertThatThrownBy(() -> Chart.render(List.of(apiGpu))).hasMessageContaining("schema").hasMessageContaining("resourcesPreset");

        Path chart = ChartCopy.of(tmp.resolve("finetune"));
        Files.delete(chart.resolve("values.schema.json"));
        assertThatThrownBy(() -> Chart.template(chart, List.of(large)))
                .hasMessageContaining("workers[cpu].resourcesPreset must be one of none, gpu, medium, small");
        assertThatThrownBy(() -> Chart.template(chart, List.of(apiGpu)))
                .hasMessageContaining("api.resourcesPreset must be one of none, medium, small");
    }

    private static List<String> documentedRows() throws Exception {
        return Files.readAllLines(Chart.repoRoot().resolve("helm/README.md")).stream().filter(l -> l.startsWith("| ")).toList();
    }

    private static String paramComment(String param) throws Exception {
        return Files.readAllLines(Chart.dir().resolve("values.yaml")).stream()
                .filter(l -> l.trim().startsWith("## @param " + param + " ")).findFirst().orElseThrow();
    }

    private static Map<String, Object> api(Chart.Rendered rendered) {
        return rendered.get("Deployment", "ft-finetune-api").containers().get(0);
    }

    private static Map<String, Object> worker(Chart.Rendered rendered, String pool) {
        return rendered.get("Deployment", "ft-finetune-worker-" + pool).containers().get(0);
    }
}
