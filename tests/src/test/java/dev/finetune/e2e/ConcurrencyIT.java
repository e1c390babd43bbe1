package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Idempotency and the queue under concurrency: 50 simultaneous creates with one
 * {@code Idempotency-Key} make one job; 50 different jobs (one optimizer step each) are all
 * processed exactly once by two worker JVMs competing for the queue: each job is started once, on
 * attempt 1, trained once, succeeds, and becomes exactly one registry version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConcurrencyIT {

    private static final int CALLERS = 50;
    /** Jobs for the two workers: 50 one-step jobs take about a minute here (see tests/README.md). */
    private static final int JOBS = Integer.getInteger("e2e.concurrency.jobs", 50);

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private Scenario.TenantKeys tenant;
    private String model;
    private String dataset;

    @BeforeAll
    void tenantWithAModelAndADataset() {
        tenant = Scenario.newTenant(platform, "concurrency");
        model = Scenario.registerTinystories(tenant.admin(), "tinystories-656k");
        dataset = Scenario.dataset(tenant.submit(), PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"),
                "instruction");
    }

    @AfterAll
    void stopWorkers() {
        if (tenant != null) {
            tenant.admin().cancelUnfinishedJobs();
        }
        workers.forEach(WorkerProcess::close);
    }

    @Test
    @Order(1)
    void fiftyConcurrentCreatesWithOneIdempotencyKeyMakeOneJob() throws Exception {
        // given: 50 callers released at once with the same body and key
        String key = "retry-storm-" + UUID.randomUUID();
        Map<String, Object> body = Scenario.job(model, dataset, "lora", 1, "default");
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Api.Response>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            calls.add(() -> {
                start.await();
                return tenant.submit().post("/api/v1/fine-tuning/jobs", body, Map.of("Idempotency-Key", key));
            });
        }

        // when
        List<Api.Response> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<Api.Response>> futures = calls.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Api.Response> f : futures) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        // then: one 201, 49 answers of 200 with the same job, and one job stored
        assertThat(answers).allSatisfy(r -> assertThat(r.status()).as("%s", r).isIn(200, 201));
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers.stream().map(r -> r.json().path("id").asString()).distinct()).hasSize(1);
        JsonNode listed = tenant.submit().get("/api/v1/fine-tuning/jobs?limit=100").json().path("data");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(platform.jdbc().sql("SELECT count(*) FROM fine_tuning_jobs WHERE tenant_id = :t")
                .param("t", UUID.fromString(tenant.tenantId())).query(Long.class).single()).isEqualTo(1);

        // and it is cancelled so that the workers of the next test see only their 50 jobs
        assertThat(tenant.submit().post("/api/v1/fine-tuning/jobs/" + listed.get(0).path("id").asString() + "/cancel",
                Map.of()).json().path("status").asString()).isEqualTo("cancelled");
    }

    @Test
    @Order(2)
    void twoWorkersProcessFiftyJobsEachExactlyOnce() throws Exception {
        // given: two workers in their own JVMs, both polling
        WorkerProcess one = platform.startWorker("queue-1", Map.of("FINETUNE_QUEUE_POLLINTERVAL", "200ms"));
        WorkerProcess two = platform.startWorker("queue-2", Map.of("FINETUNE_QUEUE_POLLINTERVAL", "200ms"));
        workers.addAll(List.of(one, two));
        awaitStarted(one);
        awaitStarted(two);

        // when: 50 different jobs arrive from 10 concurrent clients
        Instant t0 = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<String> ids = new ArrayList<>();
        try {
            List<Future<String>> futures = IntStream.range(0, JOBS).mapToObj(i -> pool.submit(() -> {
                Map<String, Object> body = Scenario.job(model, dataset, "lora", 1, "default");
                body.put("seed", i);
                body.put("suffix", "job-" + i);
                return Scenario.createJob(tenant.submit(), body).path("id").asString();
            })).toList();
            for (Future<String> f : futures) {
                ids.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, JsonNode> finished = new HashMap<>();
        for (String id : ids) {
            finished.put(id, Scenario.awaitFinished(tenant.submit(), id, Duration.ofMinutes(5)));
        }
        Duration took = Duration.between(t0, Instant.now());
        System.out.printf("[e2e] %d one-step jobs on 2 workers took %d s%n", JOBS, took.toSeconds());

        // then: every job succeeded, was started once on attempt 1 and trained once
        assertThat(ids).doesNotHaveDuplicates().hasSize(JOBS);
        SoftAssertions softly = new SoftAssertions();
        Map<String, Integer> perWorker = new HashMap<>();
        for (String id : ids) {
            softly.assertThat(finished.get(id).path("status").asString()).as("job %s", id).isEqualTo("succeeded");
            List<JsonNode> events = Scenario.events(tenant.submit(), id);
            List<JsonNode> starts = events.stream().filter(e -> e.path("message").asString().startsWith("Started on worker")).toList();
            softly.assertThat(starts).as("start events of %s", id).hasSize(1);
            softly.assertThat(events).as("events of %s", id)
                    .noneMatch(e -> e.path("message").asString().startsWith("Restarted"))
                    .filteredOn(e -> e.path("message").asString().startsWith("Trained steps")).hasSize(1);
            if (starts.size() == 1) {
                softly.assertThat(starts.get(0).path("data").path("attempt").asInt()).as("attempt of %s", id).isEqualTo(1);
                perWorker.merge(starts.get(0).path("data").path("worker").asString(), 1, Integer::sum);
            }
            softly.assertThat(tenant.submit().get("/api/v1/fine-tuning/jobs/" + id + "/metrics").json().path("data").size())
                    .as("metric rows of %s", id).isEqualTo(1);
        }
        softly.assertAll();
        assertThat(perWorker.keySet()).as("jobs per worker %s", perWorker).containsExactlyInAnyOrder("queue-1", "queue-2");

        // and each became exactly one registry version
        Set<String> sources = new HashSet<>();
        List<JsonNode> versions = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(30);
        do {
            versions.clear();
            tenant.submit().get("/api/v1/registry/repositories/default/versions?limit=200").json().path("items").forEach(versions::add);
        } while (versions.size() < JOBS && Instant.now().isBefore(deadline));
        versions.forEach(v -> sources.add(v.path("source_job_id").asString()));
        assertThat(versions).hasSize(JOBS);
        assertThat(sources).containsExactlyInAnyOrderElementsOf(ids);
    }

    private static void awaitStarted(WorkerProcess worker) {
        Instant deadline = Instant.now().plusSeconds(120);
        while (!worker.logText().contains("Started WorkerApplication")) {
            assertThat(worker.isAlive()).as("%s exited; log:%n%s", worker, worker.logText()).isTrue();
            assertThat(Instant.now()).as("%s did not start; log:%n%s", worker, worker.logText()).isBefore(deadline);
            Scenario.sleep(Duration.ofMillis(200));
        }
    }
}
