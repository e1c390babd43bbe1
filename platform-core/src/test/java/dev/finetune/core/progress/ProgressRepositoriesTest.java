package dev.finetune.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@RealInfrastructure
class ProgressRepositoriesTest {

    @Autowired
    TestData data;
    @Autowired
    JobEventRepository events;
    @Autowired
    JobMetricRepository metrics;
    @Autowired
    JobCheckpointRepository checkpoints;

    @Test
    void readsEventsAfterACursorInOrder() {
        // given
        JobId job = data.job(data.tenant("events"), JobStatus.RUNNING).id();
        JobEvent first = events.save(JobEvent.info(job, "loading base model"));
        events.save(new JobEvent(job, EventLevel.INFO, "step 10", Map.of("loss", 1.5), Instant.now()));
        events.save(new JobEvent(job, EventLevel.WARN, "slow step", null, Instant.now()));

        // when
        var after = events.after(job, first.id(), 10);

        // then
        assertThat(after).extracting(JobEvent::message).containsExactly("step 10", "slow step");
        assertThat(after.get(0).data()).containsEntry("loss", 1.5);
        assertThat(after.get(1).level()).isEqualTo(EventLevel.WARN);
    }

    @Test
    void keepsOneMetricRowPerStepInStepOrder() {
        // given
        JobId job = data.job(data.tenant("metrics"), JobStatus.RUNNING).id();
        metrics.save(new JobMetric(job, 20, 0.2, 1.1, 1.3, 1.9e-4, 900.0, Instant.now()));
        metrics.save(new JobMetric(job, 10, 0.1, 1.4, null, 2.0e-4, 850.0, Instant.now()));

        // when
        var rows = metrics.of(job);

        // then
        assertThat(rows).extracting(JobMetric::step).containsExactly(10, 20);
        assertThat(rows.get(0).evalLoss()).isNull();
        assertThat(rows.get(1).evalLoss()).isEqualTo(1.3);
    }

    @Test
    void findsTheLatestCheckpointToResumeFrom() {
        // given
        FineTuningJob job = data.job(data.tenant("ckpt"), JobStatus.RUNNING);
        for (int step : new int[] {100, 300, 200}) {
            checkpoints.save(new JobCheckpoint(job.id(), step,
                    ObjectKeys.checkpointPrefix(job.tenantId(), job.id(), step), Instant.now()));
        }

        // when
        var latest = checkpoints.latest(job.id());

        // then
        assertThat(latest.orElseThrow().step()).isEqualTo(300);
        assertThat(latest.get().objectKey()).endsWith("/checkpoints/step-300/");
    }
}
