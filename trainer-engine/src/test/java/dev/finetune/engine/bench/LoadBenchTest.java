package dev.finetune.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link LoadBench} under surefire (tag {@code bench}, excluded from the default build):
 * {@code ./mvnw -pl trainer-engine -am test -Dgroups=bench -Dsurefire.excludedGroups= -Dtest=LoadBench*}.
 * Nothing is timed or asserted about speed; the test only checks that a table came out.
 */
@Tag("bench")
class LoadBenchTest {

    @Test
    void printsTheLoadTable() {
        String report = LoadBench.run();
        System.out.println(report);
        assertThat(report).contains("| case | load s |", "after (streamed)");
    }
}
