package dev.finetune.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link EngineBench} under surefire (tag {@code bench}, excluded from the default build):
 * {@code ./mvnw -pl trainer-engine -am test -Dgroups=bench -Dsurefire.excludedGroups= -Dtest=EngineBench*}.
 * Targets print as PASS/MISS and never fail the build; the test only checks that a report came out.
 */
@Tag("bench")
class EngineBenchTest {

    @Test
    void printsAndWritesTheReport() {
        String report = EngineBench.run(BenchSettings.fromSystemProperties());
        System.out.println(report);
        assertThat(report).contains("## 1.", "## 2.", "## 3.", "## 4.");
    }
}
