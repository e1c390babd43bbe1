package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The operator's bad days, on the local platform as the README starts it: its S3 server is killed
 * during a job, its PostgreSQL is stopped and started again, and the whole platform is killed with
 * SIGKILL and started again once. Every time the job ends {@code succeeded} from its checkpoints and
 * the API answers 503 problems (never a 500, never a hang) while a dependency is down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutagesIT {

    private static final int STEPS = 30;
    private static final int SLICE = 2;
    /** The supervisor restarts the S3 server this long after it died: long enough to watch the outage. */
    private static final String S3_RESTART_DELAY = "8s";

    private final Path logs = PlatformUnderTest.repoRoot().resolve("tests/target/e2e-logs/outages");
    private final List<LocalPlatformProcess> platforms = new ArrayList<>();
    private LocalPlatformProcess platform;
    private Api api;
    private String baseUrl;
    private String dataset;

    @AfterAll
    void stop() {
        platforms.forEach(LocalPlatformProcess::close);
    }

    private void startPlatform() {
        if (platform == null) {
            platform = LocalPlatformProcess.start(logs, Map.of("FINETUNE_S3_RESTART_DELAY", S3_RESTART_DELAY),
                    "--finetune.worker.slice-steps=" + SLICE, "--finetune.queue.lease=5s",
                    "--finetune.queue.heartbeat-interval=1s", "--finetune.queue.poll-interval=500ms",
                    "--finetune.worker.storage-retry.max-delay=2s");
            platforms.add(platform);
            baseUrl = platform.url().replaceAll("/$", "");
            api = new Api(baseUrl, LocalPlatformProcess.OPERATOR_KEY);
            dataset = api.get("/api/v1/datasets").json().path("data").get(0).path("id").asString();
        }
    }

    @Test
    @Order(1)
    void aJobSurvivesItsS3ServerBeingKilledAndTheApiAnswers503MeanWhile() throws Exception {
        // given a job training, with its first checkpoint stored
        startPlatform();
        String job = createJob("s3-outage");
        awaitCheckpoint(job);

        // when the S3 server dies (the platform restarts it after S3_RESTART_DELAY)
        ProcessHandle s3 = s3Server(platform.process()).orElseThrow();
        s3.destroyForcibly();
        s3.onExit().get();

        // then while it is down, readiness is DOWN and a download is a 503 problem, not a 500
        Api.Response readiness = timed("/actuator/health/readiness", null);
        assertThat(readiness.status()).as("readiness %s", readiness).isEqualTo(503);
        assertThat(readiness.json().path("components").path("objectStorage").path("status").asString()).isEqualTo("DOWN");
        Api.Response download = timed("/api/v1/datasets/" + dataset + "/content", LocalPlatformProcess.OPERATOR_KEY);
        assertThat(download.status()).as("download %s", download).isEqualTo(503);
        assertThat(download.problemSlug()).isEqualTo("storage-unavailable");

        // and the job pauses, the S3 server comes back, and the job ends succeeded from its checkpoints
        JsonNode done = Scenario.awaitFinished(api, job, Duration.ofMinutes(4));
        assertThat(done.path("status").asString()).as("job %s; log:%n%s", done, platform.logText()).isEqualTo("succeeded");
        assertThat(s3Server(platform.process())).as("a new S3 server runs").hasValueSatisfying(p -> assertThat(p.pid()).isNotEqualTo(s3.pid()));
        assertThat(messages(job)).anyMatch(m -> m.startsWith("Paused: object storage is unreachable"))
                .anyMatch(m -> m.startsWith("Object storage is reachable again"));
        assertEveryStepOnceAndEveryCheckpoint(job);
        assertThat(timed("/actuator/health/readiness", null).status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theApiAnswers503QuicklyWhilePostgresIsDownAndRecoversWithoutARestart() throws Exception {
        // given a running platform and its PostgreSQL's command line
        startPlatform();
        Path data = platform.home().resolve("postgres");
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        List<String> commandLine = List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));

        // when PostgreSQL stops (fast shutdown, as an operator's restart or a crash of the server does)
        new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());

        // then the API answers a 503 problem well within 10 s, liveness stays UP and readiness is DOWN
        Instant t0 = Instant.now();
        Api.Response jobs = timed("/api/v1/fine-tuning/jobs", LocalPlatformProcess.OPERATOR_KEY);
        Duration took = Duration.between(t0, Instant.now());
        assertThat(jobs.status()).as("answer %s", jobs).isEqualTo(503);
        assertThat(jobs.problemSlug()).isEqualTo("database-unavailable");
        assertThat(took).as("the API answered within").isLessThan(Duration.ofSeconds(10));
        assertThat(timed("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(timed("/actuator/health/readiness", null).status()).isEqualTo(503);

        // and when PostgreSQL is back on the same port and directory, the same API answers again
        List<String> restart = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            restart.addAll(List.of("unshare", "-U")); // as zonky runs it: postgres refuses to run as root
        }
        restart.addAll(commandLine);
        new ProcessBuilder(restart).redirectErrorStream(true).redirectOutput(logs.resolve("postgres-restarted.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        Api.Response again;
        do {
            Scenario.sleep(Duration.ofMillis(500));
            again = timed("/api/v1/fine-tuning/jobs", LocalPlatformProcess.OPERATOR_KEY);
        } while (again.status() != 200 && Instant.now().isBefore(deadline));
        assertThat(again.status()).as("after PostgreSQL came back: %s", again).isEqualTo(200);
        assertThat(timed("/actuator/health/readiness", null).status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void theFirstRestartAfterASigkillOfThePlatformComesUpAndResumesTheJob() throws Exception {
        // given a job training on the platform, with its first checkpoint stored
        startPlatform();
        String job = createJob("sigkill");
        int stepAtKill = awaitCheckpoint(job);
        ProcessHandle s3 = s3Server(platform.process()).orElseThrow();

        // when the platform is killed with SIGKILL and started once again
        platform.kill();
        s3.onExit().get(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS);
        LocalPlatformProcess restarted = platform.restart();
        platforms.add(restarted);

        // then its S3 child died with it, the first restart came up, and the job ends succeeded from a checkpoint
        assertThat(s3.isAlive()).as("the S3 server outlived its platform").isFalse();
        JsonNode done = Scenario.awaitFinished(api, job, Duration.ofMinutes(4));
        assertThat(done.path("status").asString()).as("job %s; log:%n%s", done, restarted.logText()).isEqualTo("succeeded");
        assertThat(messages(job)).anyMatch(m -> m.startsWith("Restarted on worker"));
        assertThat(stepAtKill).isLessThan(STEPS);
        assertEveryStepOnceAndEveryCheckpoint(job);
    }

    private String createJob(String name) {
        Map<String, Object> body = Scenario.job("tinystories-656k", dataset, "lora", STEPS, "default");
        return Scenario.createJob(api, body).path("id").asString();
    }

    /** Waits for the job's first stored checkpoint; returns its step. */
    private int awaitCheckpoint(String job) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            JsonNode checkpoints = api.get("/api/v1/fine-tuning/jobs/" + job + "/checkpoints").json().path("data");
            if (checkpoints.size() > 0) {
                return checkpoints.get(0).path("step").asInt();
            }
            Scenario.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError("no checkpoint within 3 minutes; log:\n" + platform.logText());
    }

    /** Nothing lost and nothing twice: one metrics row per step, a checkpoint at every slice end. */
    private void assertEveryStepOnceAndEveryCheckpoint(String job) {
        JsonNode metrics = api.get("/api/v1/fine-tuning/jobs/" + job + "/metrics?limit=1000").json().path("data");
        List<Integer> steps = new ArrayList<>();
        metrics.forEach(m -> steps.add(m.path("step").asInt()));
        assertThat(steps).as("metrics steps").containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, STEPS).boxed().toList());
        JsonNode checkpoints = api.get("/api/v1/fine-tuning/jobs/" + job + "/checkpoints").json().path("data");
        List<Integer> stored = new ArrayList<>();
        checkpoints.forEach(c -> stored.add(c.path("step").asInt()));
        assertThat(stored).as("checkpoint steps").contains(STEPS);
    }

    private List<String> messages(String job) {
        return Scenario.events(api, job).stream().map(e -> e.path("message").asString()).toList();
    }

    /** A GET that gives up after 10 s, so a hanging API fails the test instead of stalling it. */
    private Api.Response timed(String path, String key) {
        Api client = new Api(baseUrl, key);
        return client.send(client.request(path).timeout(Duration.ofSeconds(10)).GET());
    }

    /** The platform's S3Proxy child (started through ExitWithParent). */
    private static Optional<ProcessHandle> s3Server(ProcessHandle platform) {
        return platform.descendants().filter(p -> p.info().commandLine().orElse("").contains("ExitWithParent")).findFirst();
    }
}
