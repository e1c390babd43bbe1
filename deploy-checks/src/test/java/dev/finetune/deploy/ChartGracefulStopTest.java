package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One value per pool, workers[i].terminationGracePeriodSeconds, sets both the pod's grace period
 * and the worker's FINETUNE_WORKER_SHUTDOWN_TIMEOUT (finetune.worker.shutdown-timeout): the grace
 * period minus 30 s, never less than 30 s.
 */
class ChartGracefulStopTest {

    static final Duration MARGIN = Duration.ofSeconds(30);
    static final String TIMEOUT = "FINETUNE_WORKER_SHUTDOWN_TIMEOUT";

    @Test
    void workerShutdownTimeoutIsTheGracePeriodMinusThirtySeconds() {
        Chart.Rendered defaults = Chart.render(List.of());
        Chart.Rendered gpu = Chart.render(List.of(Chart.gpuValues()));

        assertThat(grace(defaults, "cpu")).isEqualTo(300);
        assertThat(timeout(defaults, "cpu")).isEqualTo("270s");
        assertThat(grace(gpu, "gpu")).isEqualTo(600);
        assertThat(timeout(gpu, "gpu")).isEqualTo("570s");
        for (Chart.Rendered rendered : List.of(defaults, gpu)) {
            for (K8sObject worker : workers(rendered)) {
                Duration grace = Duration.ofSeconds(((Number) worker.podSpec().get("terminationGracePeriodSeconds")).longValue());
                Duration timeout = Durations.parse(timeoutOf(worker, rendered));
                assertThat(timeout).as(worker.name()).isEqualTo(grace.minus(MARGIN)).isPositive();
            }
        }
    }

    @Test
    void theSmallestGracePeriodLeavesThirtySecondsForTheJob(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(pool(tmp, 60)));

        assertThat(grace(rendered, "cpu")).isEqualTo(60);
        assertThat(timeout(rendered, "cpu")).isEqualTo("30s");
    }

    @Test
    void schemaRefusesAGracePeriodUnderSixtySeconds(@TempDir Path tmp) {
        assertThatThrownBy(() -> Chart.render(List.of(pool(tmp, 59))))
                .hasMessageContaining("schema")
                .hasMessageContaining("terminationGracePeriodSeconds");
    }

    @Test
    void templatesRefuseAGracePeriodThatLeavesNoShutdownTimeEvenWithoutTheSchema(@TempDir Path tmp) throws Exception {
        Path chart = ChartCopy.of(tmp.resolve("finetune"));
        Files.delete(chart.resolve("values.schema.json"));

        for (int grace : new int[] {0, 30, 59}) {
            Path values = pool(tmp, grace);
            assertThatThrownBy(() -> Chart.template(chart, List.of(values))).as("grace %d", grace)
                    .hasMessageContaining("workers[cpu].terminationGracePeriodSeconds is " + grace)
                    .hasMessageContaining("at least 60");
        }
    }

    @Test
    void refusesAShutdownTimeoutSetBesideTheGracePeriod(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "env.yaml", """
                workers:
                  - name: cpu
                    enabled: true
                    replicas: 1
                    device: cpu
                    extraEnvVars:
                      - {name: FINETUNE_WORKER_SHUTDOWN_TIMEOUT, value: 10m}
                """);

        assertThatThrownBy(() -> Chart.render(List.of(values)))
                .hasMessageContaining("set workers[cpu].terminationGracePeriodSeconds instead");
    }

    private static Path pool(Path tmp, int grace) {
        return Chart.writeValues(tmp, "grace-" + grace + ".yaml", """
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu, terminationGracePeriodSeconds: %d}
                """.formatted(grace));
    }

    private static List<K8sObject> workers(Chart.Rendered rendered) {
        return rendered.ofKind("Deployment").stream().filter(d -> "worker".equals(d.labels().get("app.kubernetes.io/component")))
                .toList();
    }

    private static Object grace(Chart.Rendered rendered, String pool) {
        return rendered.get("Deployment", "ft-finetune-worker-" + pool).podSpec().get("terminationGracePeriodSeconds");
    }

    private static String timeout(Chart.Rendered rendered, String pool) {
        return timeoutOf(rendered.get("Deployment", "ft-finetune-worker-" + pool), rendered);
    }

    private static String timeoutOf(K8sObject worker, Chart.Rendered rendered) {
        Object value = PodEnv.of(worker.containers().get(0), rendered).byName().get(TIMEOUT);
        assertThat(value).as("%s on %s", TIMEOUT, worker.name()).isInstanceOf(String.class);
        return (String) value;
    }
}
