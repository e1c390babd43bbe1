package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * A new user's first ten minutes, as the README tells them: in a fresh clone, {@code
 * ./bin/finetune-platform} with its defaults (home {@code ./.finetune}, a generated and printed
 * operator key), then the README's own shell block, run as it is written, to a succeeded job and a
 * registry version. The block is read from README.md, so the two cannot drift apart.
 *
 * <p>The clone gets the jars this build already packaged (linked, newer than its sources), so the
 * script starts them instead of building a second time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickstartIT {

    private static final Path LOGS = Path.of(System.getProperty("e2e.logs.dir", "target/e2e-logs"), "quickstart");

    private FreshClone clone;
    private FreshClone.Platform platform;

    @BeforeAll
    void startAsTheReadmeSays() throws IOException {
        clone = FreshClone.of(PlatformUnderTest.repoRoot(), LOGS);
        platform = clone.runPlatform(Duration.ofMinutes(4));
    }

    @AfterAll
    void stop() {
        if (clone != null) {
            clone.close();
        }
    }

    @Test
    void readmeFirstJobSucceedsAndBecomesARegistryVersion() throws IOException {
        // given the platform started with its defaults: data under the clone's ./.finetune
        assertThat(clone.dir().resolve(".finetune/objects")).isDirectory();
        assertThat(platform.welcome()).contains("Fine-tuning platform is running").contains(platform.apiKey());

        // when the README's block runs with the printed key pasted into its first line
        ReadmeShellBlock block = ReadmeShellBlock.firstJob(clone.dir().resolve("README.md"));
        ShellRun run = block.run(clone.dir(), platform.apiKey(), platform.port(), LOGS.resolve("readme-block.log"),
                Duration.ofMinutes(5));

        // then every command in it worked: the stream ended on succeeded, the job has its registry reference
        assertThat(run.exitCode()).as("README block output:\n%s", run.output()).isZero();
        assertThat(run.output()).containsPattern("event: ?end\\s+data: ?\\{\"status\":\"succeeded\"}");
        Api api = new Api("http://127.0.0.1:" + platform.port(), platform.apiKey());
        JsonNode jobs = api.get("/api/v1/fine-tuning/jobs?limit=10").json();
        assertThat(jobs.path("data")).hasSize(1);
        JsonNode job = jobs.path("data").get(0);
        assertThat(job.path("status").asString()).isEqualTo("succeeded");
        assertThat(job.path("model").asString()).isEqualTo("tinystories-656k");
        assertThat(job.path("trained_tokens").asLong()).isPositive();
        assertThat(run.output()).contains("\"status\": \"succeeded\"");

        // and the adapter is a version in the default segment's repository, made from that job
        JsonNode version = Scenario.versionOf(api, "default", job.path("id").asString(), Duration.ofSeconds(60));
        assertThat(version.path("source_job_id").asString()).isEqualTo(job.path("id").asString());
        assertThat(version.path("method").asString()).isEqualTo("qlora");

        // and the one process's metrics show the worker's part too: every trained token, one success
        String metrics = api.get("/actuator/prometheus").text();
        assertThat(sample(metrics, "finetune_worker_trained_tokens_total")).isEqualTo(job.path("trained_tokens").asDouble());
        assertThat(sample(metrics, "finetune_jobs_finished_total", "outcome=\"succeeded\"")).isEqualTo(1.0);
        assertThat(sample(metrics, "finetune_jobs_submitted_total", "method=\"qlora\"")).isEqualTo(1.0);

        // and the worker's log lines name the tenant and the job they are about
        assertThat(Files.readString(LOGS.resolve("platform.log")).lines().filter(l -> l.contains("claimed job")))
                .singleElement().asString().contains("job=" + job.path("id").asString()).doesNotContain("tenant= ");

        // and the objects really live under the default home, where listing found them
        try (var files = Files.walk(clone.dir().resolve(".finetune/objects"))) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("adapter_model.safetensors")))
                    .isNotEmpty();
        }
    }

    /** The value of the one sample of {@code name} whose labels contain {@code labels}, from Prometheus text. */
    private static double sample(String exposition, String name, String... labels) {
        List<String> lines = exposition.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains)).toList();
        assertThat(lines).as("%s%s in:%n%s", name, List.of(labels), exposition).hasSize(1);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
