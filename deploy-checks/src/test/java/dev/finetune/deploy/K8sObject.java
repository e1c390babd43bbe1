package dev.finetune.deploy;

import java.util.List;
import java.util.Map;

/** One rendered Kubernetes object, with paths into it that read like the manifest. */
record K8sObject(Map<String, Object> raw) {

    String kind() {
        return (String) raw.get("kind");
    }

    String name() {
        return (String) Chart.cast(raw.get("metadata")).get("name");
    }

    Map<String, Object> labels() {
        Object labels = Chart.cast(raw.get("metadata")).get("labels");
        return labels == null ? Map.of() : Chart.cast(labels);
    }

    /** A value by dotted path ("spec.template.spec"); null where any step is missing. */
    Object at(String path) {
        Object node = raw;
        for (String step : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(step);
        }
        return node;
    }

    Map<String, Object> podSpec() {
        return Chart.cast(at("spec.template.spec"));
    }

    List<Map<String, Object>> containers() {
        return Chart.list(podSpec().get("containers")).stream().map(Chart::cast).toList();
    }
}
