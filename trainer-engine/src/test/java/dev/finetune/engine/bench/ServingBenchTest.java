package dev.finetune.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link ServingBench} under surefire (tag {@code bench}, excluded from the default build):
 * {@code ./mvnw -o -pl trainer-engine -am verify -Dgroups=bench -Dsurefire.excludedGroups= -Dtest=ServingBenchTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. The test only checks that a table came out.
 */
@Tag("bench")
class ServingBenchTest {

    @Test
    void printsTheServingTable() throws Exception {
        String report = ServingBench.run();
        System.out.println(report);
        assertThat(report).contains("## Decode, one request", "## Aggregate throughput");
    }
}
