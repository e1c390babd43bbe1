package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus scrapes the API and every worker pool through the chart's ServiceMonitors, and KEDA's
 * default query counts this release's jobs by the labels that scrape adds.
 */
class ChartMetricsScalingTest {

    static final String ENABLED = """
            metrics:
              serviceMonitor: {enabled: true}
              auth: {existingSecret: finetune-metrics}
            workerDefaults:
              keda: {enabled: true}
            """;

    private static final Pattern LABEL = Pattern.compile("(\\w+)(=~?)\"([^\"]*)\"");

    @Test
    void defaultKedaQueryCountsTheJobsOfThisReleaseThatNeedAWorker(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "on.yaml", ENABLED)));

        String query = query(rendered, "cpu");

        assertThat(query).isEqualTo("sum(finetune_queue_depth{state=~\"queued|leased|expired_lease\","
                + "namespace=\"finetune\",service=\"ft-finetune-api\"})");
        // queued alone would scale busy workers away once they claimed their jobs
        assertThat(labels(query).get("state")).isEqualTo("=~queued|leased|expired_lease");
        assertScrapedByTheApiServiceMonitor(rendered, query);
    }

    @Test
    void defaultQueryFollowsTheObjectNames(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "on.yaml", ENABLED)),
                "fullnameOverride", "acme-ft");

        assertThat(labels(query(rendered, "cpu"))).containsEntry("service", "=acme-ft-api");
        assertScrapedByTheApiServiceMonitor(rendered, query(rendered, "cpu"));
    }

    @Test
    void aQueryOfTheUsersOwnWins(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "own.yaml", """
                workerDefaults:
                  keda: {enabled: true, query: 'sum(finetune_queue_depth{state="queued"})'}
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu}
                  - {name: gpu, enabled: true, replicas: 1, device: cuda, keda: {query: 'sum(my_gpu_jobs)'}}
                """)));

        assertThat(query(rendered, "cpu")).isEqualTo("sum(finetune_queue_depth{state=\"queued\"})");
        assertThat(query(rendered, "gpu")).isEqualTo("sum(my_gpu_jobs)");
    }

    @Test
    void workerMetricsServiceReachesEveryPoolsManagementPort(@TempDir Path tmp) {
        Chart.Rendered rendered = Chart.render(List.of(Chart.gpuValues(), Chart.writeValues(tmp, "on.yaml", ENABLED + """
                workers:
                  - {name: cpu, enabled: true, replicas: 1, device: cpu}
                  - {name: gpu, enabled: true, replicas: 1, device: cuda, managementPort: 9091}
                """)));

        K8sObject monitor = rendered.get("ServiceMonitor", "ft-finetune-worker");
        K8sObject service = selectedService(rendered, monitor);
        assertThat(service.name()).isEqualTo("ft-finetune-worker-metrics");
        String endpointPort = (String) Chart.cast(Chart.list(monitor.at("spec.endpoints")).get(0)).get("port");
        Map<String, Object> servicePort = Chart.list(service.at("spec.ports")).stream().map(Chart::cast)
                .filter(p -> endpointPort.equals(p.get("name"))).findFirst().orElseThrow();
        Map<String, Object> serviceSelector = Chart.cast(service.at("spec.selector"));
        K8sObject policy = rendered.get("NetworkPolicy", "ft-finetune-worker");
        List<Object> openPorts = Chart.list(Chart.cast(Chart.list(policy.at("spec.ingress")).get(0)).get("ports")).stream()
                .map(p -> Chart.cast(p).get("port")).toList();

        for (String pool : List.of("cpu", "gpu")) {
            K8sObject worker = rendered.get("Deployment", "ft-finetune-worker-" + pool);
            Map<String, Object> podLabels = Chart.cast(worker.at("spec.template.metadata.labels"));
            assertThat(podLabels).as(pool).containsAllEntriesOf(serviceSelector);
            Map<String, Object> containerPort = Chart.list(worker.containers().get(0).get("ports")).stream().map(Chart::cast)
                    .filter(p -> servicePort.get("targetPort").equals(p.get("name"))).findFirst().orElseThrow();
            assertThat(openPorts).as("worker NetworkPolicy opens %s's management port", pool)
                    .contains(containerPort.get("containerPort"));
            assertThat(PodEnv.of(worker.containers().get(0), rendered).byName())
                    .containsEntry("MANAGEMENT_SERVER_PORT", containerPort.get("containerPort").toString());
        }
        assertThat(openPorts).containsExactlyInAnyOrder(8081, 9091);
    }

    @Test
    void prometheusStillReachesTheApiWhenItsSourcesAreNarrowed(@TempDir Path tmp) {
        Map<String, Object> prometheus = Map.of("podSelector",
                Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus")), "namespaceSelector",
                Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")));
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "narrow.yaml", ENABLED + """
                networkPolicy:
                  apiAllowedSources:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                  metricsAllowedSources:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
                      podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
                """)));

        K8sObject api = rendered.get("NetworkPolicy", "ft-finetune-api");
        assertThat(Chart.list(api.at("spec.ingress"))).anySatisfy(rule -> {
            Map<String, Object> r = Chart.cast(rule);
            assertThat(r.get("ports")).isEqualTo(List.of(Map.of("port", 8080, "protocol", "TCP")));
            assertThat(Chart.list(r.get("from"))).containsExactly(prometheus);
        });
        assertThat(rendered.get("ServiceMonitor", "ft-finetune-api").at("spec.endpoints").toString())
                .contains("port=http", "path=/actuator/prometheus");
    }

    @Test
    void theApiServiceMonitorSendsTheScrapeTokenTheApiIsGiven(@TempDir Path tmp) {
        // given / when
        Chart.Rendered rendered = Chart.render(List.of(Chart.writeValues(tmp, "enabled.yaml", ENABLED)));

        // then the API's ServiceMonitor authenticates with the Secret's token, and the API reads the same key
        K8sObject monitor = rendered.get("ServiceMonitor", "ft-finetune-api");
        assertThat(monitor.at("spec.endpoints").toString())
                .contains("authorization={type=Bearer, credentials={name=finetune-metrics, key=metrics-token}}");
        assertThat(rendered.get("Deployment", "ft-finetune-api").at("spec.template.spec.containers").toString())
                .contains("name=FINETUNE_METRICS_TOKEN, valueFrom={secretKeyRef={name=finetune-metrics, key=metrics-token}}");
        // the workers' management port carries no tenant's data and stays as it was
        assertThat(rendered.get("ServiceMonitor", "ft-finetune-worker").at("spec.endpoints").toString())
                .doesNotContain("authorization");
    }

    @Test
    void refusesAServiceMonitorWithoutAScrapeToken(@TempDir Path tmp) {
        Path values = Chart.writeValues(tmp, "no-token.yaml", "metrics:\n  serviceMonitor: {enabled: true}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Chart.render(List.of(values)))
                .hasMessageContaining("metrics.auth.existingSecret is required");
    }

    /** The query's namespace and service labels are those Prometheus puts on the API's scraped series. */
    private static void assertScrapedByTheApiServiceMonitor(Chart.Rendered rendered, String query) {
        K8sObject monitor = rendered.get("ServiceMonitor", selectedMonitorName(rendered));
        K8sObject service = selectedService(rendered, monitor);
        Map<String, String> labels = labels(query);
        assertThat(labels).containsEntry("service", "=" + service.name());
        assertThat(Chart.list(monitor.at("spec.namespaceSelector.matchNames"))).containsExactly(labels.get("namespace").substring(1));
        assertThat(Chart.cast(service.raw().get("metadata")).get("namespace")).isEqualTo(labels.get("namespace").substring(1));
        // the Service is the API's, and the ServiceMonitor scrapes its /actuator/prometheus
        Map<String, Object> apiPods = Chart.cast(rendered.ofKind("Deployment").stream()
                .filter(d -> "api".equals(d.labels().get("app.kubernetes.io/component"))).findFirst().orElseThrow()
                .at("spec.template.metadata.labels"));
        assertThat(apiPods).containsAllEntriesOf(Chart.cast(service.at("spec.selector")));
        assertThat(monitor.at("spec.endpoints").toString()).contains("path=/actuator/prometheus");
    }

    private static String selectedMonitorName(Chart.Rendered rendered) {
        return rendered.ofKind("ServiceMonitor").stream().filter(m -> "api".equals(m.labels().get("app.kubernetes.io/component")))
                .findFirst().orElseThrow().name();
    }

    /** The one Service a ServiceMonitor selects, with the port its endpoint names. */
    private static K8sObject selectedService(Chart.Rendered rendered, K8sObject monitor) {
        Map<String, Object> selector = Chart.cast(monitor.at("spec.selector.matchLabels"));
        String port = (String) Chart.cast(Chart.list(monitor.at("spec.endpoints")).get(0)).get("port");
        List<K8sObject> selected = rendered.ofKind("Service").stream()
                .filter(s -> s.labels().entrySet().containsAll(selector.entrySet()))
                .filter(s -> Chart.list(s.at("spec.ports")).stream().anyMatch(p -> port.equals(Chart.cast(p).get("name"))))
                .toList();
        assertThat(selected).as("Services selected by %s", monitor.name()).hasSize(1);
        return selected.get(0);
    }

    private static String query(Chart.Rendered rendered, String pool) {
        K8sObject scaled = rendered.ofKind("ScaledObject").stream().filter(o -> pool.equals(o.labels().get("finetune.dev/pool")))
                .findFirst().orElseThrow();
        Map<String, Object> trigger = Chart.cast(Chart.list(scaled.at("spec.triggers")).get(0));
        return (String) Chart.cast(trigger.get("metadata")).get("query");
    }

    /** label -> operator + value, e.g. service -> "=ft-finetune-api". */
    private static Map<String, String> labels(String query) {
        Matcher m = LABEL.matcher(query);
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        while (m.find()) {
            labels.put(m.group(1), m.group(2) + m.group(3));
        }
        return labels;
    }
}
