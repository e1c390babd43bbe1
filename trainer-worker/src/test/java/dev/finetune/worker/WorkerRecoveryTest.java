package dev.finetune.worker;

import static dev.finetune.worker.WorkerFixtures.await;
import static dev.finetune.worker.WorkerFixtures.quick;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.worker.WorkerFixtures.SucceededEvents;
import dev.finetune.worker.WorkerFixtures.Worker;
import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.progress.SliceListener;
import dev.finetune.worker.lease.LeaseKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Workers that die, stop, or compete: every job still ends once, from its last checkpoint. */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "finetune.worker.enabled=false")
@RealInfrastructure
class WorkerRecoveryTest {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Autowired
    ConfigurableApplicationContext api;
    @Autowired
    JdbcTemplate jdbc;
    @TempDir
    Path work;

    WorkerFixtures fixtures;
    Segment segment;
    BaseModel model;
    Dataset data;
    SucceededEvents published = new SucceededEvents();

    @BeforeEach
    void freshQueue() {
        // the registry (in the worker since it registers succeeded jobs) keeps versions that point at their jobs
        jdbc.update("DELETE FROM adapter_repositories");
        jdbc.update("DELETE FROM fine_tuning_jobs");
        fixtures = new WorkerFixtures(api);
        segment = fixtures.tenant("recovery");
        model = fixtures.tinystories();
        data = fixtures.dataset(segment, WorkerFixtures.identityChat(40));
    }

    @Test
    void aJobWhoseWorkerDiedResumesOnAnotherWorkerFromTheLastCheckpoint() throws Exception {
        // given: worker A trains one slice (steps 1-2, checkpoint at 2) and then freezes for good
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.QLORA, quick(6));
        Freeze freeze = new Freeze();
        Worker a = WorkerFixtures.worker("worker-a", work, published, freeze);
        try {
            assertThat(freeze.frozen.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // dead: no more heartbeats, and its lease runs out
            a.bean(LeaseKeeper.class).destroy();
            jdbc.update("UPDATE fine_tuning_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?",
                    job.id().value());

            // when
            try (Worker b = WorkerFixtures.worker("worker-b", work, published)) {
                awaitEnd(job.id());
            }
            // B recovered A's Spring Batch execution (marked it failed) and restarted the same instance
            assertThat(batchStatuses(job.id())).containsExactly("FAILED", "COMPLETED");
        } finally {
            // A wakes up as a zombie: its lease is gone, so it must change nothing
            freeze.thaw.countDown();
            a.close();
        }

        // then
        FineTuningJob done = fixtures.job(job.id());
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        List<Map<String, Object>> slices = sliceEvents(job.id());
        assertThat(slices).extracting(e -> e.get("worker"), e -> e.get("first_step"))
                .containsExactly(tuple("worker-a", 1), tuple("worker-b", 3), tuple("worker-b", 5));
        assertThat(messages(job.id())).contains("Resumed from the checkpoint at step 2");
        assertThat(jdbc.queryForList("SELECT step FROM job_metrics WHERE job_id = ? ORDER BY step", Integer.class,
                job.id().value())).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(jdbc.queryForList("SELECT step FROM job_checkpoints WHERE job_id = ? ORDER BY step", Integer.class,
                job.id().value())).containsExactly(2, 4, 6);
        String adapter = ObjectKeys.adapterPrefix(segment.tenantId(), job.id());
        assertThat(fixtures.store().stat(adapter + "adapter_config.json")).isPresent();
        assertThat(fixtures.store().stat(adapter + "adapter_model.safetensors"))
                .hasValueSatisfying(o -> assertThat(o.size()).isPositive());
        assertThat(published.received).extracting(e -> e.jobId()).containsExactly(job.id());
        assertThat(published.received.get(0).metrics().steps()).isEqualTo(6);
    }

    @Test
    void twoWorkersProcessEachOfSeveralQueuedJobsExactlyOnce() {
        // given
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(fixtures.queue(segment, model, data, FineTuningMethod.LORA, quick(2)).id());
        }

        // when
        try (Worker a = WorkerFixtures.worker("worker-a", work, published);
                Worker b = WorkerFixtures.worker("worker-b", work, published)) {
            ids.forEach(this::awaitEnd);
        }

        // then
        for (JobId id : ids) {
            FineTuningJob done = fixtures.job(id);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(1);
            assertThat(batchStatuses(id)).containsExactly("COMPLETED");
            assertThat(messages(id)).filteredOn(m -> m.startsWith("Started on worker")).hasSize(1);
        }
        assertThat(published.received).extracting(e -> e.jobId()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aGracefulStopCheckpointsTheCurrentSliceAndAnotherWorkerResumesFromIt() {
        // given
        FineTuningJob job = fixtures.queue(segment, model, data, FineTuningMethod.QLORA, quick(400));
        Worker worker = WorkerFixtures.worker("worker-a", work, published);
        await("a first checkpoint", TIMEOUT, () -> !checkpoints(job.id()).isEmpty());

        // when: what SIGTERM does
        worker.close();

        // then
        FineTuningJob paused = fixtures.job(job.id());
        assertThat(paused.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(paused.leaseOwner()).isEmpty();
        int lastMetric = jdbc.queryForObject("SELECT max(step) FROM job_metrics WHERE job_id = ?", Integer.class,
                job.id().value());
        assertThat(checkpoints(job.id())).last().isEqualTo(lastMetric);
        assertThat(messages(job.id())).anyMatch(m -> m.startsWith("Paused at step " + lastMetric));
        assertThat(batchStatuses(job.id())).containsExactly("STOPPED");

        // and another worker restarts the stopped Spring Batch execution from that checkpoint
        try (Worker b = WorkerFixtures.worker("worker-b", work, published)) {
            await("worker-b's first slice", TIMEOUT, () -> {
                return sliceEventsUnchecked(job.id()).stream().anyMatch(e -> "worker-b".equals(e.get("worker")));
            });
            FineTuningJob resumed = fixtures.job(job.id());
            resumed.requestCancel(java.time.Instant.now());
            fixtures.jobs().save(resumed);
            awaitEnd(job.id());
        }
        assertThat(fixtures.job(job.id()).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(fixtures.job(job.id()).attempt()).isEqualTo(2);
        assertThat(messages(job.id())).contains("Resumed from the checkpoint at step " + lastMetric);
        assertThat(sliceEventsUnchecked(job.id())).filteredOn(e -> "worker-b".equals(e.get("worker")))
                .first().satisfies(e -> assertThat(e.get("first_step")).isEqualTo(lastMetric + 1));
        assertThat(batchStatuses(job.id())).containsExactly("STOPPED", "STOPPED");
    }

    List<Map<String, Object>> sliceEventsUnchecked(JobId job) {
        try {
            return sliceEvents(job);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Blocks the training thread after its first recorded slice, like a process that froze. */
    static final class Freeze implements SliceListener {

        final CountDownLatch frozen = new CountDownLatch(1);
        final CountDownLatch thaw = new CountDownLatch(1);

        @Override
        public void afterSlice(ActiveJob job, long tokensBefore, List<TrainingProgress> steps) {
            frozen.countDown();
            try {
                thaw.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void awaitEnd(JobId id) {
        await("job " + id + " to end", TIMEOUT, () -> {
            FineTuningJob job = fixtures.job(id);
            return job.status().isTerminal() && job.leaseOwner().isEmpty();
        });
    }

    List<Integer> checkpoints(JobId job) {
        return jdbc.queryForList("SELECT step FROM job_checkpoints WHERE job_id = ? ORDER BY step", Integer.class,
                job.value());
    }

    List<String> messages(JobId job) {
        return jdbc.queryForList("SELECT message FROM job_events WHERE job_id = ? ORDER BY id", String.class,
                job.value());
    }

    List<Map<String, Object>> sliceEvents(JobId job) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String json : jdbc.queryForList("SELECT data::text FROM job_events WHERE job_id = ? AND message LIKE "
                + "'Trained steps%' ORDER BY id", String.class, job.value())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = WorkerFixtures.JSON.readValue(json, Map.class);
            out.add(data);
        }
        return out;
    }

    List<String> batchStatuses(JobId job) {
        return jdbc.queryForList("""
                SELECT e.status FROM batch_job_execution e
                  JOIN batch_job_execution_params p ON p.job_execution_id = e.job_execution_id
                 WHERE p.parameter_name = 'fineTuningJobId' AND p.parameter_value = ?
                 ORDER BY e.job_execution_id""", String.class, job.toString());
    }

    static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

}
