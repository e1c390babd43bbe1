package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.e2e.Api.SseEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 3's story as a CI pipeline lives it, over HTTP only: the operator makes a tenant, its admin
 * key makes a submit key, the pipeline uploads a real dataset and registers the bundled checkpoint,
 * starts a QLoRA job (retried with the same Idempotency-Key), follows its SSE events to
 * {@code succeeded}, downloads the adapter and checks its PEFT layout and that the eval loss went
 * down, then promotes the version to {@code production} and resolves {@code segment@production}.
 * A worker in its own JVM does the training.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CiPipelineIT {

    private static final Duration TRAINING = Duration.ofMinutes(4);

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private WorkerProcess worker;
    private Scenario.TenantKeys tenant;

    @BeforeAll
    void startWorker() {
        // JSON log lines, as the container images set it
        worker = platform.startWorker("ci-" + UUID.randomUUID().toString().substring(0, 8),
                Map.of("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs"));
    }

    @AfterAll
    void stopWorker() {
        if (tenant != null) {
            tenant.admin().cancelUnfinishedJobs();
        }
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void trainsAQloraAdapterFollowsItToSucceededDownloadsItAndPromotesIt() {
        // given: a tenant whose admin made a key for the pipeline, a segment, a real dataset and the bundled checkpoint
        tenant = Scenario.newTenant(platform, "ci");
        Api ci = tenant.submit();
        assertThat(tenant.admin().post("/api/v1/segments", Map.of("name", "support")).status()).isEqualTo(201);
        Api.Response upload = Scenario.uploadDataset(ci,
                PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"), "instruction");
        assertThat(upload.status()).as("%s", upload).isEqualTo(201);
        assertThat(upload.json().path("rows").asLong()).isEqualTo(91);
        assertThat(upload.json().path("sha256").asString()).hasSize(64);
        String dataset = upload.json().path("id").asString();
        String model = Scenario.registerTinystories(tenant.admin(), "tinystories-656k");

        // when: the pipeline creates the job, and retries the call as a flaky network would make it
        Map<String, Object> body = Scenario.job(model, dataset, "qlora", 12, "support");
        body.put("suffix", "ci");
        String idempotencyKey = "ci-run-" + UUID.randomUUID();
        Api.Response created = ci.post("/api/v1/fine-tuning/jobs", body, Map.of("Idempotency-Key", idempotencyKey));
        Api.Response retried = ci.post("/api/v1/fine-tuning/jobs", body, Map.of("Idempotency-Key", idempotencyKey));

        // then: one job
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(retried.status()).as("%s", retried).isEqualTo(200);
        String jobId = created.json().path("id").asString();
        assertThat(retried.json().path("id").asString()).isEqualTo(jobId);
        assertThat(created.json().path("method").asString()).isEqualTo("qlora");
        assertThat(created.json().path("hyperparameters").path("lora_r").asInt()).isEqualTo(8);

        // when: it follows the job's SSE stream to its end
        List<SseEvent> stream = ci.followEvents(jobId, TRAINING);

        // then: the stream told the whole story and ended with succeeded
        assertThat(stream).as("SSE events; worker log:%n%s", worker.logText()).isNotEmpty();
        SseEvent end = stream.get(stream.size() - 1);
        assertThat(end.name()).as("last SSE event; worker log:%n%s", worker.logText()).isEqualTo("end");
        assertThat(end.json().path("status").asString()).as("worker log:%n%s", worker.logText()).isEqualTo("succeeded");
        List<String> messages = new ArrayList<>();
        stream.stream().filter(e -> e.name().equals("event")).forEach(e -> messages.add(e.json().path("message").asString()));
        assertThat(messages).anyMatch(m -> m.startsWith("Started on worker " + worker.name()))
                .anyMatch(m -> m.startsWith("Trained steps"))
                .anyMatch(m -> m.startsWith("Fine-tuning succeeded"));
        List<Long> ids = stream.stream().filter(e -> e.id() != null).map(e -> Long.parseLong(e.id())).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        JsonNode job = ci.get("/api/v1/fine-tuning/jobs/" + jobId).json();
        assertThat(job.path("status").asString()).isEqualTo("succeeded");
        assertThat(job.path("trained_tokens").asLong()).isPositive();

        // and the worker logged one JSON object per line, its job lines carrying the MDC's tenant and job
        List<JsonNode> claimed = worker.logText().lines().filter(l -> l.startsWith("{"))
                .map(l -> Api.JSON.readTree(l)).filter(l -> l.path("message").asString().startsWith("claimed job"))
                .toList();
        assertThat(claimed).as("worker log:%n%s", worker.logText()).singleElement().satisfies(line -> {
            assertThat(line.path("jobId").asString()).isEqualTo(jobId);
            assertThat(line.path("tenantId").asString()).isEqualTo(tenant.tenantId());
            assertThat(line.path("@timestamp").isMissingNode()).isFalse();
        });

        // and the eval loss went down: per-step metrics, and the registry version's lineage
        JsonNode metrics = ci.get("/api/v1/fine-tuning/jobs/" + jobId + "/metrics").json().path("data");
        assertThat(metrics.size()).isEqualTo(12);
        JsonNode version = Scenario.versionOf(ci, "support", jobId, Duration.ofSeconds(30));
        // the job names its registry version (set in the registration's transaction), a ref the registry resolves
        String fineTunedModel = ci.get("/api/v1/fine-tuning/jobs/" + jobId).json().path("fine_tuned_model").asString();
        assertThat(fineTunedModel).isEqualTo("support/" + version.path("number").asInt());
        assertThat(ci.get("/api/v1/registry/resolve?ref=" + fineTunedModel).status()).isEqualTo(200);
        double initial = version.path("initial_eval_loss").asDouble();
        double last = version.path("eval_loss").asDouble();
        assertThat(version.path("initial_eval_loss").isNumber()).as("%s", version).isTrue();
        assertThat(last).as("final eval loss below the initial %s", initial).isLessThan(initial);
        assertThat(version.path("method").asString()).isEqualTo("qlora");
        assertThat(version.path("dataset_sha256").asString()).isEqualTo(upload.json().path("sha256").asString());

        // when: it downloads the adapter as a zip, and one file through its presigned URL
        int number = version.path("number").asInt();
        String versionPath = "/api/v1/registry/repositories/support/versions/" + number;
        Api.Response zip = ci.get(versionPath + "/download");
        JsonNode files = ci.get(versionPath + "/files").json();

        // then: the PEFT layout, readable without this platform's code
        assertThat(zip.status()).as("%s", zip).isEqualTo(200);
        assertThat(zip.contentType()).isEqualTo("application/zip");
        PeftAdapter adapter = PeftAdapter.fromZip(zip.body())
                .assertLoraLayout(2, 128, List.of("q_proj", "v_proj"));
        assertThat(adapter.config().path("r").asInt()).isEqualTo(8);
        assertThat(adapter.config().path("lora_alpha").asInt()).isEqualTo(16);
        assertThat(adapter.tensors()).containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        JsonNode weights = null;
        for (JsonNode f : files) {
            if (f.path("path").asString().endsWith("adapter_model.safetensors")) {
                weights = f;
            }
        }
        assertThat(weights).as("files: %s", files).isNotNull();
        Api.Response presigned = Api.getUrl(weights.path("url").asString());
        assertThat(presigned.status()).isEqualTo(200);
        assertThat(presigned.body()).isEqualTo(adapter.files().get("adapter_model.safetensors"));

        // when: the version is promoted to production
        Api.Response promoted = ci.put("/api/v1/registry/repositories/support/aliases/production",
                Map.of("version", number, "reason", "CI: eval loss " + last));

        // then: the gate let it pass, and segment@production resolves to it
        assertThat(promoted.status()).as("%s", promoted).isEqualTo(200);
        assertThat(promoted.json().path("to_version").asInt()).isEqualTo(number);
        assertThat(promoted.json().path("gate_outcome").asString()).startsWith("passed");
        Api.Response resolved = ci.get("/api/v1/registry/resolve?ref=" + Api.encode("support@production"));
        assertThat(resolved.status()).as("%s", resolved).isEqualTo(200);
        assertThat(resolved.json().path("version").path("number").asInt()).isEqualTo(number);
        assertThat(resolved.json().path("version").path("source_job_id").asString()).isEqualTo(jobId);
        assertThat(resolved.json().path("artifact_uri").asString()).startsWith("s3://").contains(jobId);
    }
}
