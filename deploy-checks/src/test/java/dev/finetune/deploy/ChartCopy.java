package dev.finetune.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A copy of the chart in a temporary folder, for what helm-java cannot pass to a command:
 * lint takes no values file, and no command skips schema validation.
 */
final class ChartCopy {

    private ChartCopy() {
    }

    static Path of(Path target) {
        Path source = Chart.dir();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy whose values.yaml is the defaults with these files merged over them, as helm merges -f. */
    static Path withValues(Path target, List<Path> overrides) {
        Path chart = of(target);
        Map<String, Object> values = Chart.loadYaml(Chart.dir().resolve("values.yaml"));
        for (Path override : overrides) {
            values = merge(values, Chart.loadYaml(override));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        write(chart.resolve("values.yaml"), new Yaml(options).dump(values));
        return chart;
    }

    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object current = merged.get(key);
            if (current instanceof Map<?, ?> currentMap && value instanceof Map<?, ?> valueMap) {
                merged.put(key, merge(Chart.cast(currentMap), Chart.cast(valueMap)));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
