package dev.finetune.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container's environment as Kubernetes would assemble it: envFrom ConfigMaps, then env. */
record PodEnv(Map<String, Object> byName) {

    static PodEnv of(Map<String, Object> container, Chart.Rendered rendered) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object source : Chart.list(container.get("envFrom"))) {
            Map<String, Object> ref = Chart.cast(Chart.cast(source).get("configMapRef"));
            if (ref != null) {
                K8sObject configMap = rendered.get("ConfigMap", (String) ref.get("name"));
                Chart.cast(configMap.at("data")).forEach(env::put);
            }
        }
        for (Object entry : Chart.list(container.get("env"))) {
            Map<String, Object> var = Chart.cast(entry);
            env.put((String) var.get("name"), var.containsKey("valueFrom") ? var.get("valueFrom") : var.get("value"));
        }
        return new PodEnv(env);
    }

    /** The secretKeyRef a variable comes from, or null where it is a literal. */
    Map<String, Object> secretKeyRef(String name) {
        Object value = byName.get(name);
        if (value instanceof Map<?, ?> valueFrom) {
            Object ref = valueFrom.get("secretKeyRef");
            return ref == null ? null : Chart.cast(ref);
        }
        return null;
    }

    List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
