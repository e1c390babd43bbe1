package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.settings.TargetModules;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.ObjectOptimisticLockingFailureException;

@SpringBootTest
@RealInfrastructure
class FineTuningJobPersistenceTest {

    @Autowired
    TestData data;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    RecordedEvents recorded;

    @Test
    void databaseRejectsAStatusOutsideTheDomain() {
        // given
        FineTuningJob job = data.job(data.tenant("check"), JobStatus.QUEUED);

        // when / then
        assertThatThrownBy(() -> jdbc.update("UPDATE fine_tuning_jobs SET status = 'paused' WHERE id = ?", job.getId()))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("ck_jobs_status");
    }

    @Test
    void storesAndReadsBackHyperparametersAsJsonb() {
        // given
        Fixture f = data.tenant("json");
        Hyperparameters custom = Hyperparameters.builder().loraR(16).loraAlpha(32).maxSteps(100)
                .targetModules(TargetModules.ALL).build();
        NewJob request = data.newJob(f, null);
        FineTuningJob job = FineTuningJob.submit(new NewJob(request.tenant(), request.segment(), request.baseModel(),
                request.trainingDataset(), null, FineTuningMethod.QLORA, custom, "s1", request.metadata(), 7L, null),
                Instant.now());

        // when
        jobs.save(job);
        FineTuningJob loaded = jobs.find(job.id()).orElseThrow();
        String stored = jdbc.queryForObject(
                "SELECT hyperparameters ->> 'target_modules' FROM fine_tuning_jobs WHERE id = ?", String.class, job.getId());
        String jsonType = jdbc.queryForObject(
                "SELECT pg_typeof(hyperparameters)::text FROM fine_tuning_jobs WHERE id = ?", String.class, job.getId());

        // then
        assertThat(loaded.hyperparameters()).isEqualTo(custom);
        assertThat(loaded.method()).isEqualTo(FineTuningMethod.QLORA);
        assertThat(loaded.metadata()).containsEntry("team", "core");
        assertThat(stored).isEqualTo("all-linear");
        assertThat(jsonType).isEqualTo("jsonb");
    }

    @Test
    void aStaleCopyCannotOverwriteANewerStatus() {
        // given two copies of the same running job
        FineTuningJob saved = data.job(data.tenant("lock"), JobStatus.RUNNING);
        FineTuningJob first = jobs.find(saved.id()).orElseThrow();
        FineTuningJob second = jobs.find(saved.id()).orElseThrow();

        // when the first one finishes the job
        first.succeed(1000, List.of("tenants/x/adapters/y/adapter.safetensors"), Instant.now());
        jobs.saveAndFlush(first);
        second.requestCancel(Instant.now());

        // then the second save is refused
        assertThatThrownBy(() -> jobs.saveAndFlush(second)).isInstanceOf(ObjectOptimisticLockingFailureException.class);
        FineTuningJob reloaded = jobs.find(saved.id()).orElseThrow();
        assertThat(reloaded.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(reloaded.resultObjectKeys()).containsExactly("tenants/x/adapters/y/adapter.safetensors");
        assertThat(reloaded.trainedTokens()).contains(1000L);
    }

    @Test
    void failingAJobRecordsCodeMessageAndParam() {
        // given
        FineTuningJob job = data.job(data.tenant("fail"), JobStatus.RUNNING);

        // when
        job.fail(new JobError("invalid_hyperparameter", "lora_r must be > 0", "lora_r"), Instant.now());
        jobs.save(job);

        // then
        FineTuningJob loaded = jobs.find(job.id()).orElseThrow();
        assertThat(loaded.status()).isEqualTo(JobStatus.FAILED);
        assertThat(loaded.error()).contains(new JobError("invalid_hyperparameter", "lora_r must be > 0", "lora_r"));
        assertThat(loaded.finishedAt()).isPresent();
    }

    @Test
    void idempotencyKeyIsUniquePerTenant() {
        // given
        Fixture a = data.tenant("idem-a");
        Fixture b = data.tenant("idem-b");
        jobs.saveAndFlush(FineTuningJob.submit(data.newJob(a, "key-1"), Instant.now()));

        // when another tenant uses the same key, it is fine
        jobs.saveAndFlush(FineTuningJob.submit(data.newJob(b, "key-1"), Instant.now()));

        // then the same tenant cannot reuse it
        assertThat(jobs.findByIdempotencyKey(a.tenant().id(), "key-1")).isPresent();
        assertThatThrownBy(() -> jobs.saveAndFlush(FineTuningJob.submit(data.newJob(a, "key-1"), Instant.now())))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void savingAJobPublishesPastTenseEvents() {
        // given
        recorded.events.clear();
        Fixture f = data.tenant("events");
        FineTuningJob job = FineTuningJob.submit(data.newJob(f, null), Instant.now());
        job.transitionTo(JobStatus.QUEUED, Instant.now());

        // when
        jobs.save(job);

        // then
        assertThat(recorded.events).hasSize(2);
        assertThat(recorded.events.get(0)).isInstanceOf(JobSubmitted.class);
        assertThat(recorded.events.get(1)).isEqualTo(new JobStatusChanged(job.id(), f.tenant().id(),
                JobStatus.VALIDATING_FILES, JobStatus.QUEUED, ((JobStatusChanged) recorded.events.get(1)).at()));
    }

    static class RecordedEvents {
        final List<Object> events = new ArrayList<>();

        @EventListener
        void on(JobSubmitted e) {
            events.add(e);
        }

        @EventListener
        void on(JobStatusChanged e) {
            events.add(e);
        }
    }

    @TestConfiguration
    static class Events {
        @Bean
        RecordedEvents recordedEvents() {
            return new RecordedEvents();
        }
    }
}
