package dev.finetune.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.JobStatusChanged;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

@SpringBootTest
@RealInfrastructure
@RecordApplicationEvents
class JobQueueTest {

    @Autowired
    ApplicationEvents events;

    static final Duration LEASE = Duration.ofMinutes(5);

    @Autowired
    JobQueue queue;
    @Autowired
    TestData data;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    JdbcTemplate jdbc;

    Fixture fixture;

    @BeforeEach
    void emptyQueue() {
        // the queue is global: no job left by another test may be claimable here
        jdbc.update("DELETE FROM fine_tuning_jobs");
        fixture = data.tenant("queue");
    }

    @Test
    void claimsFairlyAcrossTenantsSoOneTenantsBacklogDoesNotStarveAnother() {
        // given tenant A queues 20 jobs, then tenant B queues one
        Fixture other = data.tenant("queue-b");
        List<JobId> backlog = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            backlog.add(data.job(fixture, JobStatus.QUEUED).id());
        }
        JobId single = data.job(other, JobStatus.QUEUED).id();

        // when two workers claim one job each
        JobId first = queue.claimNext(new WorkerId("worker-1"), LEASE).orElseThrow().jobId();
        JobId second = queue.claimNext(new WorkerId("worker-2"), LEASE).orElseThrow().jobId();

        // then A's oldest job went first, and B's single job next, ahead of A's other 19
        assertThat(first).isEqualTo(backlog.get(0));
        assertThat(second).isEqualTo(single);
        assertThat(queue.claimNext(new WorkerId("worker-3"), LEASE).orElseThrow().jobId()).isEqualTo(backlog.get(1));
    }

    @Test
    void resumesAJobWhoseLeaseExpiredBeforeStartingAQueuedOne() {
        // given a running job whose worker died, and a queued job submitted before it
        JobId abandoned = data.job(data.tenant("queue-c"), JobStatus.QUEUED).id();
        queue.claimNext(new WorkerId("dead"), LEASE);
        jdbc.update("UPDATE fine_tuning_jobs SET lease_expires_at = now() - interval '1 minute' WHERE id = ?",
                abandoned.value());
        JobId queued = data.job(fixture, JobStatus.QUEUED).id();
        jdbc.update("UPDATE fine_tuning_jobs SET created_at = now() - interval '1 hour' WHERE id = ?", queued.value());

        // when
        ClaimedJob next = queue.claimNext(new WorkerId("alive"), LEASE).orElseThrow();

        // then
        assertThat(next.jobId()).isEqualTo(abandoned);
        assertThat(next.previousOwner()).contains("dead");
        assertThat(queue.claimNext(new WorkerId("alive-2"), LEASE).orElseThrow().jobId()).isEqualTo(queued);
    }

    @Test
    void twoConcurrentClaimersGetEachOf50JobsExactlyOnce() throws Exception {
        // given
        List<JobId> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(data.job(fixture, JobStatus.QUEUED).id());
        }
        Set<JobId> seen = ConcurrentHashMap.newKeySet();
        List<JobId> all = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);

        // when
        List<Future<Integer>> counts = new ArrayList<>();
        for (WorkerId worker : List.of(new WorkerId("worker-a"), new WorkerId("worker-b"))) {
            counts.add(pool.submit(() -> {
                start.await();
                int n = 0;
                for (Optional<ClaimedJob> c = queue.claimNext(worker, LEASE); c.isPresent(); c = queue.claimNext(worker, LEASE)) {
                    seen.add(c.get().jobId());
                    all.add(c.get().jobId());
                    n++;
                }
                return n;
            }));
        }
        start.countDown();
        int a = counts.get(0).get(60, TimeUnit.SECONDS);
        int b = counts.get(1).get(60, TimeUnit.SECONDS);
        pool.shutdown();

        // then
        assertThat(all).hasSize(50);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(queued);
        assertThat(a + b).isEqualTo(50);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM fine_tuning_jobs WHERE status = 'running' AND attempt = 1",
                Integer.class)).isEqualTo(50);
        System.out.println("[queue] worker-a claimed " + a + ", worker-b claimed " + b);
    }

    @Test
    void claimsTheOldestQueuedJobFirst() {
        // given
        JobId older = data.job(fixture, JobStatus.QUEUED).id();
        data.job(fixture, JobStatus.QUEUED);
        data.job(fixture, JobStatus.VALIDATING_FILES);

        // when
        ClaimedJob claimed = queue.claimNext(new WorkerId("w1"), LEASE).orElseThrow();

        // then
        assertThat(claimed.jobId()).isEqualTo(older);
        assertThat(claimed.tenantId()).isEqualTo(fixture.tenant().id());
        assertThat(claimed.attempt()).isEqualTo(1);
        assertThat(claimed.isTakeover()).isFalse();
        FineTuningJob job = jobs.find(older).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.leaseOwner()).contains("w1");
        assertThat(job.startedAt()).isPresent();
    }

    @Test
    void takesOverAJobWhoseLeaseExpiredAndCountsTheAttempt() throws Exception {
        // given a job claimed by a worker that then died
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        WorkerId dead = new WorkerId("dead-worker");
        WorkerId alive = new WorkerId("alive-worker");
        queue.claimNext(dead, Duration.ofMillis(50)).orElseThrow();
        Thread.sleep(200);

        // when
        ClaimedJob taken = queue.claimNext(alive, LEASE).orElseThrow();

        // then
        assertThat(taken.jobId()).isEqualTo(id);
        assertThat(taken.attempt()).isEqualTo(2);
        assertThat(taken.previousOwner()).contains("dead-worker");
        assertThat(queue.renew(id, dead, LEASE)).isEmpty();
        assertThat(queue.renew(id, alive, LEASE)).isPresent();
    }

    @Test
    void doesNotHandOutAJobUnderALiveLease() {
        // given
        data.job(fixture, JobStatus.QUEUED);
        queue.claimNext(new WorkerId("holder"), LEASE).orElseThrow();

        // when
        Optional<ClaimedJob> second = queue.claimNext(new WorkerId("other"), LEASE);

        // then
        assertThat(second).isEmpty();
    }

    @Test
    void heartbeatByAWorkerThatDoesNotHoldTheLeaseFails() {
        // given
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        queue.claimNext(new WorkerId("owner"), LEASE).orElseThrow();

        // when
        boolean intruder = queue.renew(id, new WorkerId("intruder"), LEASE).isPresent();
        boolean owner = queue.renew(id, new WorkerId("owner"), LEASE).isPresent();

        // then
        assertThat(intruder).isFalse();
        assertThat(owner).isTrue();
    }

    @Test
    void heartbeatTellsTheWorkerThatItsJobIsBeingCancelled() {
        // given
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        WorkerId owner = new WorkerId("trainer");
        queue.claimNext(owner, LEASE).orElseThrow();
        assertThat(queue.renew(id, owner, LEASE)).contains(JobStatus.RUNNING);

        // when a client cancels through the API
        FineTuningJob job = jobs.find(id).orElseThrow();
        job.requestCancel(java.time.Instant.now());
        jobs.saveAndFlush(job);

        // then the next heartbeat says so, and releasing finishes the cancellation
        assertThat(queue.renew(id, owner, LEASE)).contains(JobStatus.CANCELLING);
        queue.release(id, owner);
        assertThat(jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(jobs.find(id).orElseThrow().finishedAt()).isPresent();
    }

    @Test
    void releasePutsARunningJobBackInTheQueue() {
        // given
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        WorkerId owner = new WorkerId("leaving");
        queue.claimNext(owner, LEASE).orElseThrow();

        // when
        queue.release(id, new WorkerId("stranger"));
        boolean stillHeld = jobs.find(id).orElseThrow().leaseOwner().isPresent();
        queue.release(id, owner);

        // then
        assertThat(stillHeld).isTrue();
        FineTuningJob job = jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.leaseOwner()).isEmpty();
        assertThat(queue.renew(id, owner, LEASE)).isEmpty();
        assertThat(queue.claimNext(new WorkerId("next"), LEASE).orElseThrow().attempt()).isEqualTo(2);
    }

    @Test
    void failsAJobThatLostItsWorkerTooOften() throws Exception {
        // given a job whose lease expired on its last allowed attempt (max-attempts defaults to 3)
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        for (int i = 1; i <= 3; i++) {
            queue.claimNext(new WorkerId("w" + i), Duration.ofMillis(20)).orElseThrow();
            Thread.sleep(60);
        }

        events.clear();

        // when
        Optional<ClaimedJob> fourth = queue.claimNext(new WorkerId("w4"), LEASE);
        int reaped = queue.reapAbandoned();

        // then
        assertThat(fourth).isEmpty();
        assertThat(reaped).isEqualTo(1);
        FineTuningJob job = jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.error().orElseThrow().code()).isEqualTo("worker_lost");
        assertThat(events.stream(JobStatusChanged.class).filter(e -> e.jobId().equals(id)))
                .singleElement().satisfies(e -> {
                    assertThat(e.from()).isEqualTo(JobStatus.RUNNING);
                    assertThat(e.to()).isEqualTo(JobStatus.FAILED);
                });
    }

    @Test
    void movesJobsOnlyAlongTheStatusTableAndLogsEachPublishedMoveOnce() {
        // given two jobs in every status, each under an expired lease of worker w on its last attempt
        List<JobId> toReap = new ArrayList<>();
        List<JobId> toRelease = new ArrayList<>();
        for (JobStatus s : JobStatus.values()) {
            toReap.add(data.job(fixture, s).id());
            toRelease.add(data.job(fixture, s).id());
        }
        jdbc.update("UPDATE fine_tuning_jobs SET lease_owner = 'w', lease_expires_at = now() - interval '1 minute', attempt = 3");
        WorkerId w = new WorkerId("w");
        List<String> moves = new ArrayList<>();

        // when each fenced statement of the queue runs over them
        Map<JobId, JobStatus> before = statuses();
        while (queue.claimNext(new WorkerId("claimer"), LEASE).isPresent()) {
            // claims every queued job; a running one has used up its attempts
        }
        Map<JobId, JobStatus> claimed = statuses();
        events.clear();
        toRelease.forEach(id -> queue.renew(id, w, LEASE));
        Map<JobId, JobStatus> renewed = statuses();
        toRelease.forEach(id -> queue.release(id, w));
        Map<JobId, JobStatus> released = statuses();
        queue.reapAbandoned();
        Map<JobId, JobStatus> reaped = statuses();

        // then every change is one the status table allows
        moves.addAll(changes(before, claimed));
        List<String> published = new ArrayList<>(changes(claimed, renewed));
        published.addAll(changes(renewed, released));
        published.addAll(changes(released, reaped));
        moves.addAll(published);
        assertThat(moves).isNotEmpty().allSatisfy(m -> {
            String[] fromTo = m.substring(m.indexOf(':') + 1).split("->");
            assertThat(JobStatus.fromWire(fromTo[0]).canTransitionTo(JobStatus.fromWire(fromTo[1]))).as(m).isTrue();
        });
        assertThat(published).as("release and reap moved these")
                .contains(toRelease.get(JobStatus.RUNNING.ordinal()) + ":running->queued",
                        toRelease.get(JobStatus.CANCELLING.ordinal()) + ":cancelling->cancelled",
                        toReap.get(JobStatus.CANCELLING.ordinal()) + ":cancelling->cancelled");
        // and each release or reap was published once and written once to the job's event log
        assertThat(events.stream(JobStatusChanged.class).map(e -> e.jobId() + ":" + e.from().wireName() + "->"
                + e.to().wireName())).containsExactlyInAnyOrderElementsOf(published);
        for (String move : published) {
            String[] fromTo = move.substring(move.indexOf(':') + 1).split("->");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? "
                    + "AND data->>'previous_status' = ? AND data->>'status' = ?", Integer.class,
                    JobId.parse(move.substring(0, move.indexOf(':'))).value(), fromTo[0], fromTo[1])).as(move).isEqualTo(1);
        }
    }

    private Map<JobId, JobStatus> statuses() {
        Map<JobId, JobStatus> out = new java.util.HashMap<>();
        jdbc.query("SELECT id, status FROM fine_tuning_jobs WHERE tenant_id = ?",
                rs -> { out.put(new JobId(rs.getObject(1, java.util.UUID.class)), JobStatus.fromWire(rs.getString(2))); },
                fixture.tenant().id().value());
        return out;
    }

    private static List<String> changes(Map<JobId, JobStatus> before, Map<JobId, JobStatus> after) {
        return before.entrySet().stream().filter(e -> after.get(e.getKey()) != e.getValue())
                .map(e -> e.getKey() + ":" + e.getValue().wireName() + "->" + after.get(e.getKey()).wireName()).toList();
    }

    @Test
    void publishesTheStatusChangesItsReleaseMakes() {
        // given one running and one cancelling job, both held by this worker
        WorkerId owner = new WorkerId("releaser");
        JobId running = data.job(fixture, JobStatus.QUEUED).id();
        queue.claimNext(owner, LEASE).orElseThrow();
        JobId cancelling = data.job(fixture, JobStatus.QUEUED).id();
        queue.claimNext(owner, LEASE).orElseThrow();
        jdbc.update("UPDATE fine_tuning_jobs SET status = 'cancelling' WHERE id = ?", cancelling.value());
        events.clear();

        // when both are released
        queue.release(running, owner);
        queue.release(cancelling, owner);
        queue.release(cancelling, owner); // no longer held: changes nothing, says nothing

        // then one event each: back to the queue, and cancelled
        assertThat(events.stream(JobStatusChanged.class).map(e -> e.jobId() + ":" + e.from() + "->" + e.to()))
                .containsExactly(running + ":" + JobStatus.RUNNING + "->" + JobStatus.QUEUED,
                        cancelling + ":" + JobStatus.CANCELLING + "->" + JobStatus.CANCELLED);
        assertThat(jobs.find(cancelling).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void reportsQueueDepth() throws Exception {
        // given
        data.job(fixture, JobStatus.QUEUED);
        data.job(fixture, JobStatus.QUEUED);
        data.job(fixture, JobStatus.QUEUED);
        queue.claimNext(new WorkerId("live"), LEASE).orElseThrow();
        queue.claimNext(new WorkerId("dying"), Duration.ofMillis(20)).orElseThrow();
        Thread.sleep(60);

        // when
        QueueDepth depth = queue.depth();

        // then
        assertThat(depth).isEqualTo(new QueueDepth(1, 1, 1));
    }

    @Test
    void aJpaSaveAfterAClaimDoesNotUndoTheLease() {
        // given an entity loaded before a worker claimed the job
        JobId id = data.job(fixture, JobStatus.QUEUED).id();
        FineTuningJob stale = jobs.find(id).orElseThrow();
        queue.claimNext(new WorkerId("claimer"), LEASE).orElseThrow();

        // when the stale copy is saved
        stale.requestCancel(java.time.Instant.now());

        // then optimistic locking refuses it, because the claim bumped the version
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jobs.saveAndFlush(stale))
                .isInstanceOf(org.springframework.orm.ObjectOptimisticLockingFailureException.class);
        assertThat(jobs.find(id).orElseThrow().leaseOwner()).contains("claimer");
    }
}
