package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** values.yaml is documented value by value, and values.schema.json describes it. */
class ChartValuesTest {

    private static final Pattern PARAM = Pattern.compile("^\\s*## @param (\\S+)\\s+\\S", Pattern.MULTILINE);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyLeafValueHasAParamComment() throws Exception {
        Set<String> documented = documentedParams();

        List<String> leaves = leaves(Chart.loadYaml(Chart.dir().resolve("values.yaml")));

        assertThat(leaves).hasSizeGreaterThan(150);
        assertThat(leaves).allSatisfy(leaf -> assertThat(documented).as("## @param %s", leaf).contains(leaf));
    }

    @Test
    void everyParamCommentNamesAValueThatExists() throws Exception {
        List<String> leaves = leaves(Chart.loadYaml(Chart.dir().resolve("values.yaml")));

        assertThat(documentedParams()).allSatisfy(param -> assertThat(leaves).as("stale ## @param %s", param).contains(param));
    }

    @Test
    void schemaAcceptsTheDefaultsAndTheGpuExample() {
        Map<String, Object> defaults = Chart.loadYaml(Chart.dir().resolve("values.yaml"));
        Map<String, Object> withGpu = ChartCopy.merge(defaults, Chart.loadYaml(Chart.gpuValues()));

        assertThat(validate(defaults)).isEmpty();
        assertThat(validate(withGpu)).isEmpty();
    }

    @Test
    void schemaRejectsTyposUnknownDevicesAndBadBucketNames(@TempDir Path tmp) {
        Map<String, Object> defaults = Chart.loadYaml(Chart.dir().resolve("values.yaml"));

        assertThat(validate(ChartCopy.merge(defaults, Map.of("apii", Map.of()))))
                .anySatisfy(e -> assertThat(e).contains("apii"));
        assertThat(validate(ChartCopy.merge(defaults, Map.of("workers", List.of(Map.of("name", "tpu", "device", "tpu"))))))
                .anySatisfy(e -> assertThat(e).contains("/workers/0/device"));
        assertThat(validate(ChartCopy.merge(defaults, Map.of("storage", Map.of("bucket", "Bad_Bucket")))))
                .anySatisfy(e -> assertThat(e).contains("/storage/bucket"));
    }

    @Test
    void everyWorkerPoolSettingIsDescribedByTheSchemaForAPool() throws Exception {
        JsonNode schema = JSON.readTree(Files.readString(Chart.dir().resolve("values.schema.json")));
        JsonNode poolProperties = schema.at("/properties/workers/items/properties");
        Map<String, Object> firstPool = Chart.cast(Chart.list(Chart.loadYaml(Chart.dir().resolve("values.yaml")).get("workers")).get(0));

        assertThat(firstPool.keySet()).allSatisfy(key -> assertThat(poolProperties.has(key)).as(key).isTrue());
        // a pool may override any shared worker setting
        Map<String, Object> workerDefaults = Chart.cast(Chart.loadYaml(Chart.dir().resolve("values.yaml")).get("workerDefaults"));
        assertThat(workerDefaults.keySet()).allSatisfy(key -> assertThat(poolProperties.has(key)).as(key).isTrue());
    }

    private static List<String> validate(Map<String, Object> values) {
        try {
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                    .getSchema(Files.newInputStream(Chart.dir().resolve("values.schema.json")));
            List<Error> errors = schema.validate(JSON.valueToTree(values));
            return errors.stream().map(Error::toString).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> documentedParams() throws Exception {
        Matcher matcher = PARAM.matcher(Files.readString(Chart.dir().resolve("values.yaml")));
        Set<String> params = new LinkedHashSet<>();
        while (matcher.find()) {
            params.add(matcher.group(1));
        }
        return params;
    }

    /**
     * Leaf paths as bitnami's readme generator names them: maps are walked, the items of a list
     * of maps are walked as name[i], and scalars, empty maps and other lists are leaves.
     */
    static List<String> leaves(Map<String, Object> values) {
        List<String> leaves = new ArrayList<>();
        walk("", values, leaves);
        return leaves;
    }

    private static void walk(String path, Object node, List<String> leaves) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((key, value) -> walk(path.isEmpty() ? key.toString() : path + "." + key, value, leaves));
        } else if (node instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Map.class::isInstance)) {
            for (int i = 0; i < list.size(); i++) {
                walk(path + "[" + i + "]", list.get(i), leaves);
            }
        } else {
            leaves.add(path);
        }
    }
}
