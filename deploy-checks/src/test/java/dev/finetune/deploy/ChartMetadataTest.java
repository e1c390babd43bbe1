package dev.finetune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Chart.yaml says where the project lives and who maintains it, and its version moved with the chart. */
class ChartMetadataTest {

    static final Map<String, Object> CHART = Chart.loadYaml(Chart.dir().resolve("Chart.yaml"));

    @Test
    void namesItsHomeAndMaintainersWithUrls() {
        assertThat(https(CHART.get("home"))).isTrue();
        assertThat(Chart.list(CHART.get("maintainers"))).isNotEmpty().allSatisfy(m -> {
            Map<String, Object> maintainer = Chart.cast(m);
            assertThat(maintainer.get("name")).isNotNull();
            assertThat(https(maintainer.get("url"))).as("%s url", maintainer.get("name")).isTrue();
        });
        assertThat(Chart.list(CHART.get("sources"))).allSatisfy(s -> assertThat(https(s)).isTrue());
        assertThat(Chart.list(CHART.get("keywords"))).contains("fine-tuning", "lora", "qlora");
    }

    @Test
    void versionIsBumpedPastTheFirstReleaseAndLabelsEveryObject() {
        String version = CHART.get("version").toString();

        assertThat(version).matches("\\d+\\.\\d+\\.\\d+").isEqualTo("0.2.0");
        assertThat(CHART.get("appVersion")).isEqualTo("0.1.0");
        for (K8sObject object : Chart.render(List.of()).objects()) {
            assertThat(object.labels()).as(object.kind() + "/" + object.name()).containsEntry("helm.sh/chart", "finetune-" + version);
        }
    }

    private static boolean https(Object url) {
        if (url == null) {
            return false;
        }
        URI uri = URI.create(url.toString());
        return "https".equals(uri.getScheme()) && uri.getHost() != null;
    }
}
