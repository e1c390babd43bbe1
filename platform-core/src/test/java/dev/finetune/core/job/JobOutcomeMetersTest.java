package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import dev.finetune.core.tenant.TenantId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

class JobOutcomeMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobOutcomeMeters meters;

    JobOutcomeMetersTest() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("registry", registry);
        meters = new JobOutcomeMeters(beans.getBeanProvider(io.micrometer.core.instrument.MeterRegistry.class));
    }

    @Test
    void countsSubmissionsByMethodAndOnlyTerminalChangesByOutcome() {
        // when two jobs are submitted and walk through their lives
        JobId a = JobId.random();
        JobId b = JobId.random();
        meters.submitted(new JobSubmitted(a, tenant(), FineTuningMethod.QLORA, Instant.now()));
        meters.submitted(new JobSubmitted(b, tenant(), FineTuningMethod.LORA, Instant.now()));
        meters.changed(change(a, JobStatus.VALIDATING_FILES, JobStatus.QUEUED));
        meters.changed(change(a, JobStatus.QUEUED, JobStatus.RUNNING));
        meters.changed(change(a, JobStatus.RUNNING, JobStatus.SUCCEEDED));
        meters.changed(change(b, JobStatus.QUEUED, JobStatus.RUNNING));
        meters.changed(change(b, JobStatus.RUNNING, JobStatus.CANCELLING));
        meters.changed(change(b, JobStatus.CANCELLING, JobStatus.CANCELLED));

        // then
        assertThat(registry.get("finetune.jobs.submitted").tag("method", "qlora").counter().count()).isEqualTo(1);
        assertThat(registry.get("finetune.jobs.submitted").tag("method", "lora").counter().count()).isEqualTo(1);
        assertThat(registry.get("finetune.jobs.finished").tag("outcome", "succeeded").counter().count()).isEqualTo(1);
        assertThat(registry.get("finetune.jobs.finished").tag("outcome", "cancelled").counter().count()).isEqualTo(1);
        assertThat(registry.find("finetune.jobs.finished").tag("outcome", "running").counter()).isNull();
        assertThat(registry.find("finetune.jobs.finished").counters()).hasSize(2);
    }

    private static JobStatusChanged change(JobId id, JobStatus from, JobStatus to) {
        return new JobStatusChanged(id, tenant(), from, to, Instant.now());
    }

    private static TenantId tenant() {
        return new TenantId(UUID.nameUUIDFromBytes("t".getBytes()));
    }
}
