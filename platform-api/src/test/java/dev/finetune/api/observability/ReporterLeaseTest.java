package dev.finetune.api.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class ReporterLeaseTest extends ApiTestBase {

    @Autowired
    JdbcClient jdbc;

    @Test
    void oneReplicaReportsAtATimeAndAnotherTakesOverWhenItsLeaseLapses() throws Exception {
        // given two replicas competing for one lease
        ReporterLease first = new ReporterLease(jdbc, "test-" + System.nanoTime(), Duration.ofMillis(400));
        ReporterLease second = new ReporterLease(jdbc, "test-" + System.nanoTime(), Duration.ofMillis(400));
        ReporterLease sameNameAsFirst = sibling(first);

        // when / then: the first to ask holds it and keeps it by renewing
        assertThat(first.holdOrTake()).isTrue();
        assertThat(sameNameAsFirst.holdOrTake()).isFalse();
        assertThat(first.holdOrTake()).isTrue();
        assertThat(second.holdOrTake()).as("another name is another lease").isTrue();

        // when the holder stops renewing, the other takes over, and the old holder is told so
        Thread.sleep(600);
        assertThat(sameNameAsFirst.holdOrTake()).isTrue();
        assertThat(first.holdOrTake()).isFalse();

        // when the holder gives it up, the other gets it at once
        sameNameAsFirst.release();
        assertThat(first.holdOrTake()).isTrue();
    }

    private ReporterLease sibling(ReporterLease of) throws Exception {
        var name = ReporterLease.class.getDeclaredField("name");
        name.setAccessible(true);
        return new ReporterLease(jdbc, (String) name.get(of), Duration.ofMillis(400));
    }
}
