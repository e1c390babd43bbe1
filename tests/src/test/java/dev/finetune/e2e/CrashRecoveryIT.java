package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * A worker in its own JVM is killed with SIGKILL in the middle of training (no checkpoint on the
 * way out, no lease released); a second worker takes the job over when the lease expires and
 * finishes it from the last checkpoint in object storage, not from step 0; every step's metrics
 * exist exactly once and the adapter is complete. And a worker that dies between its job's commit
 * and the registration leaves the job's completion in the outbox, which the next worker delivers:
 * one registry version, which the job then names as its {@code fine_tuned_model}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryIT {

    private static final int STEPS = 60;
    private static final int SLICE = 3;
    /** Short lease and heartbeat so a dead worker's job is free again within seconds. */
    private static final Map<String, String> FAST_LEASE = Map.of(
            "FINETUNE_WORKER_SLICESTEPS", String.valueOf(SLICE),
            "FINETUNE_QUEUE_LEASE", "5s",
            "FINETUNE_QUEUE_HEARTBEATINTERVAL", "1s",
            "FINETUNE_QUEUE_POLLINTERVAL", "1s");

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private Scenario.TenantKeys tenant;

    @AfterAll
    void stopWorkers() {
        if (tenant != null) {
            tenant.admin().cancelUnfinishedJobs();
        }
        workers.forEach(WorkerProcess::close);
    }

    @Test
    void aSecondWorkerFinishesAJobFromTheLastCheckpointAfterTheFirstIsKilled() {
        // given: a job running on worker A, with at least one checkpoint stored
        tenant = Scenario.newTenant(platform, "crash");
        Api api = tenant.submit();
        String dataset = Scenario.dataset(api, PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"),
                "instruction");
        String model = Scenario.registerTinystories(tenant.admin(), "tinystories-656k");
        WorkerProcess a = start("crash-a");
        Map<String, Object> body = Scenario.job(model, dataset, "lora", STEPS, "default");
        @SuppressWarnings("unchecked")
        Map<String, Object> hp = (Map<String, Object>) body.get("hyperparameters");
        hp.put("batch_size", 8);
        hp.put("max_seq_length", 256);
        String jobId = Scenario.createJob(api, body).path("id").asString();
        JsonNode checkpointsAtKill = awaitFirstCheckpoint(api, jobId, a);
        JsonNode jobAtKill = api.get("/api/v1/fine-tuning/jobs/" + jobId).json();

        // when: A dies without warning, and B starts
        a.kill();
        int stepAtKill = checkpointsAtKill.get(checkpointsAtKill.size() - 1).path("step").asInt();
        assertThat(jobAtKill.path("status").asString()).as("the job was still training when A was killed").isEqualTo("running");
        assertThat(stepAtKill).as("A was killed before the last step").isLessThan(STEPS);
        WorkerProcess b = start("crash-b");
        JsonNode job = Scenario.awaitFinished(api, jobId, Duration.ofMinutes(3));

        // then: B finished the job
        assertThat(job.path("status").asString()).as("job %s; worker B log:%n%s", job, b.logText()).isEqualTo("succeeded");
        List<JsonNode> events = Scenario.events(api, jobId);
        List<String> messages = events.stream().map(e -> e.path("message").asString()).toList();
        assertThat(messages).as("events").anyMatch(m -> m.startsWith("Started on worker crash-a"))
                .anyMatch(m -> m.startsWith("Restarted on worker crash-b (attempt 2)"));

        // and resumed from a checkpoint A stored, not from step 0
        JsonNode resumed = events.stream().filter(e -> e.path("message").asString().startsWith("Resumed from the checkpoint"))
                .findFirst().orElseThrow(() -> new AssertionError("no resume event in " + messages));
        int resumedAt = resumed.path("data").path("step").asInt();
        assertThat(resumedAt).isGreaterThanOrEqualTo(stepAtKill).isPositive();
        assertThat(resumed.path("data").path("worker").asString()).isEqualTo("crash-b");
        int firstStepOfB = events.stream()
                .filter(e -> e.path("message").asString().startsWith("Trained steps"))
                .filter(e -> e.path("data").path("worker").asString().equals("crash-b"))
                .mapToInt(e -> e.path("data").path("first_step").asInt()).min().orElseThrow();
        assertThat(firstStepOfB).as("B's first trained step").isEqualTo(resumedAt + 1).isGreaterThan(1);
        assertThat(events.stream().filter(e -> e.path("message").asString().startsWith("Trained steps"))
                .filter(e -> e.path("data").path("worker").asString().equals("crash-a"))
                .mapToInt(e -> e.path("data").path("last_step").asInt()).max().orElseThrow())
                .as("A's last recorded step").isEqualTo(resumedAt);

        // and every step's metrics exist exactly once, the checkpoints continue where A's ended
        List<Integer> steps = new ArrayList<>();
        api.get("/api/v1/fine-tuning/jobs/" + jobId + "/metrics").json().path("data").forEach(m -> steps.add(m.path("step").asInt()));
        assertThat(steps).containsExactlyElementsOf(IntStream.rangeClosed(1, STEPS).boxed().toList());
        List<Integer> checkpointSteps = new ArrayList<>();
        api.get("/api/v1/fine-tuning/jobs/" + jobId + "/checkpoints").json().path("data")
                .forEach(c -> checkpointSteps.add(c.path("step").asInt()));
        assertThat(checkpointSteps).isSorted().doesNotHaveDuplicates().contains(resumedAt, STEPS)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, STEPS / SLICE).map(i -> i * SLICE).boxed().toList());

        // and the adapter is complete: a PEFT directory with every LoRA pair
        JsonNode version = Scenario.versionOf(api, "default", jobId, Duration.ofSeconds(30));
        Api.Response zip = api.get("/api/v1/registry/repositories/default/versions/" + version.path("number").asInt() + "/download");
        assertThat(zip.status()).isEqualTo(200);
        PeftAdapter.fromZip(zip.body()).assertLoraLayout(2, 128, List.of("q_proj", "v_proj"));
        assertThat(version.path("curve").path("steps").asInt()).isEqualTo(STEPS);
    }

    @Test
    void registersTheAdapterExactlyOnceAfterTheWorkerDiedBetweenTheJobsCommitAndItsRegistration() {
        // given a worker that halts (as if SIGKILLed) right after the commit that makes its job succeeded,
        // before the registry's delivery of the job's outbox entry runs (JobOutcomes' test hook);
        // no other worker runs, so none can claim the job or deliver its entry in between
        workers.forEach(WorkerProcess::close);
        workers.clear();
        Scenario.TenantKeys keys = Scenario.newTenant(platform, "outbox");
        Api api = keys.submit();
        String dataset = Scenario.dataset(api, PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"),
                "instruction");
        String model = Scenario.registerTinystories(keys.admin(), "tinystories-656k");
        Map<String, String> halting = new java.util.HashMap<>(FAST_LEASE);
        halting.put("JAVA_TOOL_OPTIONS", "-Dfinetune.test.halt-after-succeeded-commit=true");
        WorkerProcess a = platform.startWorker("outbox-a", halting);
        workers.add(a);
        String jobId = Scenario.createJob(api, Scenario.job(model, dataset, "lora", 4, "default")).path("id").asString();

        // when it dies there, and another worker starts later
        assertThat(a.awaitExit(Duration.ofMinutes(3))).as("worker A log:%n%s", a.logText()).hasValue(137);
        JsonNode orphan = api.get("/api/v1/fine-tuning/jobs/" + jobId).json();
        List<JsonNode> before = versionsOf(api, jobId);
        WorkerProcess b = start("outbox-b");
        JsonNode version = Scenario.versionOf(api, "default", jobId, Duration.ofSeconds(60));

        // then the job had committed as succeeded with no version yet, and B registered it exactly once
        assertThat(a.logText()).contains("halting now");
        assertThat(orphan.path("status").asString()).isEqualTo("succeeded");
        assertThat(orphan.path("fine_tuned_model").isNull()).as("no model before registration: %s", orphan).isTrue();
        assertThat(before).isEmpty();
        assertThat(b.logText()).contains("registered as default/" + version.path("number").asInt());
        Scenario.sleep(Duration.ofSeconds(2));
        assertThat(versionsOf(api, jobId)).hasSize(1);
        JsonNode job = api.get("/api/v1/fine-tuning/jobs/" + jobId).json();
        assertThat(job.path("fine_tuned_model").asString()).isEqualTo("default/" + version.path("number").asInt());
        assertThat(version.path("curve").path("steps").asInt()).isEqualTo(4);
    }

    private static List<JsonNode> versionsOf(Api api, String jobId) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/v1/registry/repositories/default/versions?limit=100").json().path("items").forEach(v -> {
            if (jobId.equals(v.path("source_job_id").asString())) {
                out.add(v);
            }
        });
        return out;
    }

    private WorkerProcess start(String name) {
        WorkerProcess w = platform.startWorker(name, FAST_LEASE);
        workers.add(w);
        return w;
    }

    /** Polls the checkpoints until one exists; fails if the job ends first (then it trained too fast to crash). */
    private static JsonNode awaitFirstCheckpoint(Api api, String jobId, WorkerProcess a) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            JsonNode checkpoints = api.get("/api/v1/fine-tuning/jobs/" + jobId + "/checkpoints").json().path("data");
            if (!checkpoints.isEmpty()) {
                return checkpoints;
            }
            assertThat(a.isAlive()).as("worker A exited; log:%n%s", a.logText()).isTrue();
            Scenario.sleep(Duration.ofMillis(50));
        }
        throw new AssertionError("no checkpoint of job " + jobId + " within 2 minutes; worker A log:\n" + a.logText());
    }
}
