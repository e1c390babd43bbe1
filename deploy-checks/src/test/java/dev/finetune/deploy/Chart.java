package dev.finetune.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart under helm/finetune, rendered by the helm library that helm-java bundles (a native
 * helm 3.21, fully offline), and its output parsed into Kubernetes objects.
 */
final class Chart {

    static final String RELEASE = "ft";
    static final String NAMESPACE = "finetune";

    private Chart() {
    }

    static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("helm/finetune"))) {
            dir = dir.getParent();
        }
        return Objects.requireNonNull(dir, "no helm/finetune above " + System.getProperty("user.dir"));
    }

    static Path dir() {
        return repoRoot().resolve("helm/finetune");
    }

    static Path gpuValues() {
        return dir().resolve("values-gpu.yaml");
    }

    /** Renders the chart with the given values files (in order) and --set pairs (key, value, key, value...). */
    static Rendered render(List<Path> valuesFiles, Object... sets) {
        return new Rendered(template(dir(), valuesFiles, sets));
    }

    /** The annotation key that makes helm treat an object as a hook, and a stand-in helm ignores. */
    static final String HOOK = "helm.sh/hook";
    private static final String HOOK_STAND_IN = "deploy-checks.finetune.dev/hook";

    /**
     * Renders the chart with its hooks (the helm test Pod) among the objects. helm-java's template
     * leaves hooks out of its output, so a copy of the chart has the hook annotations renamed to a
     * key helm ignores, and the rendered text gets the real keys back.
     */
    static Rendered renderWithHooks(Path tmp, List<Path> valuesFiles, Object... sets) {
        Path copy = ChartCopy.of(tmp.resolve("finetune-with-hooks"));
        try (var files = Files.walk(copy.resolve("templates"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, Files.readString(file).replace(HOOK, HOOK_STAND_IN));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(template(copy, valuesFiles, sets).replace(HOOK_STAND_IN, HOOK));
    }

    static String template(Path chartDir, List<Path> valuesFiles, Object... sets) {
        TemplateCommand command = new Helm(chartDir).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.30.0");
        for (Path values : valuesFiles) {
            command = command.withValuesFile(values);
        }
        for (int i = 0; i < sets.length; i += 2) {
            command = command.set((String) sets[i], sets[i + 1]);
        }
        return command.call();
    }

    static Path writeValues(Path dir, String name, String yaml) {
        try {
            return Files.writeString(dir.resolve(name), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> loadYaml(Path file) {
        try {
            return new Yaml(new LoaderOptions()).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** helm template's output: the text and the objects it holds. */
    record Rendered(String text, List<K8sObject> objects) {

        Rendered(String text) {
            this(text, parse(text));
        }

        private static List<K8sObject> parse(String text) {
            List<K8sObject> objects = new ArrayList<>();
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(text)) {
                if (doc instanceof Map<?, ?> map) {
                    objects.add(new K8sObject(cast(map)));
                }
            }
            return List.copyOf(objects);
        }

        List<K8sObject> ofKind(String kind) {
            return objects.stream().filter(o -> o.kind().equals(kind)).toList();
        }

        K8sObject get(String kind, String name) {
            return objects.stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names()));
        }

        List<String> names() {
            return objects.stream().map(o -> o.kind() + "/" + o.name()).toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object list) {
        return list == null ? List.of() : (List<Object>) list;
    }
}
