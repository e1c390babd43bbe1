package dev.finetune.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.job.JobId;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.progress.JobMetric;
import dev.finetune.core.progress.JobMetricRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class JobApiTest extends ApiTestBase {

    @Autowired
    JobCheckpointRepository checkpoints;
    @Autowired
    JobMetricRepository metrics;

    TestTenant tenant;
    String dataset;

    @BeforeEach
    void tenantWithDataset() {
        tenant = newTenant("jobs");
        dataset = uploadDataset(tenant, "llamafactory_identity.json");
    }

    @Test
    void createsAQueuedJobAndEchoesTheDefaults() {
        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode job = r.json();
        assertThat(job.path("object").asString()).isEqualTo("fine_tuning.job");
        assertThat(job.path("status").asString()).isEqualTo("queued");
        assertThat(job.path("model").asString()).isEqualTo("tinystories-656k");
        assertThat(job.path("method").asString()).isEqualTo("lora");
        assertThat(job.path("segment").asString()).isEqualTo("default");
        assertThat(job.path("training_file").asString()).isEqualTo(dataset);
        JsonNode hp = job.path("hyperparameters");
        assertThat(hp.path("lora_r").asInt()).isEqualTo(8);
        assertThat(hp.path("lora_alpha").asInt()).isEqualTo(16);
        assertThat(hp.path("lora_dropout").asDouble()).isEqualTo(0.05);
        assertThat(hp.path("n_epochs").asInt()).isEqualTo(3);
        assertThat(hp.path("target_modules").toString()).contains("q_proj", "v_proj");
        assertThat(job.has("error")).isTrue();
        assertThat(job.path("created_at").asString()).isNotBlank();
        Response events = api.get("/api/v1/fine-tuning/jobs/" + job.path("id").asString() + "/events", tenant.adminKey());
        assertThat(events.json().path("data").findValuesAsString("message")).hasSize(2).last().asString().contains("queued");
    }

    @Test
    void rejectsUseDoraForABottleneckAdapterJobNamingTheField() {
        // given
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("method", "adapter");
        body.put("hyperparameters", Map.of("use_dora", true));

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/invalid-hyperparameter");
        assertThat(r.text("param")).isEqualTo("hyperparameters.use_dora");
        assertThat(r.text("detail")).contains("use_dora applies to methods lora and qlora only");
    }

    @Test
    void rejectsRankZeroNamingTheField() {
        // given
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("hyperparameters", Map.of("lora_r", 0));

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/invalid-hyperparameter");
        assertThat(r.text("param")).isEqualTo("hyperparameters.lora_r");
        assertThat(r.text("detail")).contains("lora_r");
    }

    @Test
    void listsEveryBrokenHyperparameterAtOnceKeepingTheFirstAsParamAndDetail() {
        // given three fields out of range
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("hyperparameters", Map.of("lora_r", 0, "learning_rate", 2, "warmup_ratio", 1));
        long jobsBefore = jobsOfTenant();

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then: the first (in field order) is param/detail as before, errors lists all three
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("param")).isEqualTo("hyperparameters.learning_rate");
        assertThat(r.text("detail")).isEqualTo("hyperparameters.learning_rate must be > 0 and <= 1 but was 2.0");
        assertThat(r.json().path("errors").findValuesAsString("param")).containsExactly(
                "hyperparameters.learning_rate", "hyperparameters.warmup_ratio", "hyperparameters.lora_r");
        assertThat(r.json().path("errors").get(2).path("message").asString()).isEqualTo("hyperparameters.lora_r must be > 0 but was 0");
        assertThat(jobsOfTenant()).isEqualTo(jobsBefore);
    }

    @Test
    void namesEveryWrongReferenceAtOnceKeepingTheFirstAsParamAndDetail() {
        // given an unknown model, training file and segment in one request
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("model", "no-such-model");
        body.put("training_file", "00000000-0000-0000-0000-000000000000");
        body.put("segment", "no-such-segment");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.text("param")).isEqualTo("model");
        assertThat(r.text("detail")).isEqualTo("base model 'no-such-model' does not exist");
        assertThat(r.json().path("errors").findValuesAsString("param")).containsExactly("model", "training_file", "segment");
    }

    @Test
    void servesEachHyperparametersBounds() {
        Response r = api.get("/api/v1/fine-tuning/hyperparameters/bounds", tenant.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("lora_r").path("minimum").asInt()).isEqualTo(1);
        assertThat(r.json().path("n_epochs").path("maximum").asInt()).isEqualTo(50);
        assertThat(r.json().path("learning_rate").path("exclusive_minimum").asDouble()).isZero();
        assertThat(r.json().path("max_steps").path("nullable").asBoolean()).isTrue();
        assertThat(r.json().path("lr_scheduler").path("choices").toString()).contains("cosine");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lora   | {\"lora_r\": 512}                               | hyperparameters.lora_r",
            "qlora  | {\"target_modules\": [\"q_proj\", \"qkv_proj\"]} | hyperparameters.target_modules",
            "adapter| {\"adapter_reduction_factor\": 1000}             | hyperparameters.adapter_reduction_factor",
            "lora   | {\"max_steps\": 1000000000}                     | hyperparameters.max_steps",
            "lora   | {\"n_epochs\": 1000000000}                      | hyperparameters.n_epochs",
            "lora   | {\"gradient_accumulation_steps\": 1000000000}   | hyperparameters.gradient_accumulation_steps",
            "lora   | {\"batch_size\": 1000000}                       | hyperparameters.batch_size"})
    void refusesWorkTheBaseModelOrTheBoundsCannotTakeAtSubmitNamingTheField(String method, String hyperparameters,
            String param) {
        // given settings the 128-wide demo model cannot take, or that would hold a worker for years
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("method", method.trim());
        body.put("hyperparameters", dev.finetune.core.json.CoreJson.read(hyperparameters.trim(), Map.class));
        long jobsBefore = jobsOfTenant();

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then a 400 now, not a failed job later, and no job stored
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/invalid-hyperparameter");
        assertThat(r.text("param")).isEqualTo(param.trim());
        assertThat(jobsOfTenant()).isEqualTo(jobsBefore);
    }

    @Test
    void refusesAJobBeyondTheTenantsQuotaOfUnfinishedJobsButAnswersARetryWithItsJob() {
        // given the tenant has the default 20 unfinished jobs, the first with an Idempotency-Key
        Response keyed = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset),
                Map.of("Idempotency-Key", "quota-first"));
        for (int i = 1; i < 20; i++) {
            assertThat(api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).status())
                    .isEqualTo(201);
        }

        // when one more arrives, and the first is retried
        Response over = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));
        Response retried = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset),
                Map.of("Idempotency-Key", "quota-first"));

        // then the new one is a 429 naming the limit, nothing more is stored, and the retry gets its job
        assertThat(over.status()).as(over.toString()).isEqualTo(429);
        assertThat(over.text("type")).isEqualTo("https://finetune.dev/problems/quota-exceeded");
        assertThat(over.json().path("limit").asInt()).isEqualTo(20);
        assertThat(jobsOfTenant()).isEqualTo(20);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.text("id")).isEqualTo(keyed.text("id"));

        // and a cancelled job frees its place
        api.postJson("/api/v1/fine-tuning/jobs/" + keyed.text("id") + "/cancel", tenant.adminKey(), Map.of());
        assertThat(api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).status()).isEqualTo(201);
    }

    @Test
    void letsOnlyOneOfTenConcurrentSubmitsTakeTheLastPlaceInTheQuota() throws Exception {
        // given the tenant has 19 of its 20 unfinished jobs
        for (int i = 0; i < 19; i++) {
            assertThat(api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).status())
                    .isEqualTo(201);
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();

        // when ten more arrive at once
        for (int i = 0; i < 10; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                return api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset));
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Response> call : calls) {
            statuses.add(call.get(60, TimeUnit.SECONDS).status());
        }
        pool.shutdown();

        // then one takes the place, nine are refused, and the tenant has exactly its 20
        assertThat(statuses).containsOnly(201, 429).filteredOn(s -> s == 201).hasSize(1);
        assertThat(jobsOfTenant()).isEqualTo(20);
    }

    private long jobsOfTenant() {
        return api.get("/api/v1/fine-tuning/jobs?limit=100", tenant.adminKey()).json().path("data").size();
    }

    @Test
    void rejectsAnUnknownBaseModelNamingModel() {
        // given
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("model", "no-such-model");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/not-found");
        assertThat(r.text("param")).isEqualTo("model");
    }

    @Test
    void treatsAnotherTenantsDatasetAsUnknownNamingTrainingFile() {
        // given
        TestTenant other = newTenant("other");
        String othersDataset = uploadDataset(other, "glaive_toolcall_40.json");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(othersDataset));

        // then
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text("param")).isEqualTo("training_file");
        assertThat(api.get("/api/v1/fine-tuning/jobs", tenant.adminKey()).json().path("data").size()).isZero();
    }

    @Test
    void rejectsAnUnknownMethodNamingIt() {
        // given
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("method", "full");

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.text("param")).isEqualTo("method");
        assertThat(r.text("detail")).contains("lora", "qlora", "adapter");
    }

    @Test
    void cancelsAQueuedJobAtOnceAndRefusesToCancelItTwice() {
        // given
        String id = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");

        // when
        Response cancelled = api.postEmpty("/api/v1/fine-tuning/jobs/" + id + "/cancel", tenant.adminKey());
        Response again = api.postEmpty("/api/v1/fine-tuning/jobs/" + id + "/cancel", tenant.adminKey());

        // then
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(cancelled.text("status")).isEqualTo("cancelled");
        assertThat(cancelled.text("finished_at")).isNotBlank();
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("type")).isEqualTo("https://finetune.dev/problems/illegal-transition");
    }

    @Test
    void listsJobsByStatusAndSegmentWithACursor() {
        // given
        api.postJson("/api/v1/segments", tenant.adminKey(), Map.of("name", "research"));
        Map<String, Object> research = new HashMap<>(jobRequest(dataset));
        research.put("segment", "research");
        String a = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");
        String b = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), research).text("id");
        String c = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");
        api.postEmpty("/api/v1/fine-tuning/jobs/" + a + "/cancel", tenant.adminKey());

        // when
        Response page1 = api.get("/api/v1/fine-tuning/jobs?limit=2", tenant.adminKey());
        Response page2 = api.get("/api/v1/fine-tuning/jobs?limit=2&after=" + page1.text("last_id"), tenant.adminKey());
        Response queued = api.get("/api/v1/fine-tuning/jobs?status=queued", tenant.adminKey());
        Response inResearch = api.get("/api/v1/fine-tuning/jobs?segment=research", tenant.adminKey());
        Response badStatus = api.get("/api/v1/fine-tuning/jobs?status=done", tenant.adminKey());

        // then
        assertThat(page1.json().path("data").findValuesAsString("id")).containsExactly(c, b);
        assertThat(page1.json().path("has_more").asBoolean()).isTrue();
        assertThat(page2.json().path("data").findValuesAsString("id")).containsExactly(a);
        assertThat(queued.json().path("data").findValuesAsString("id")).containsExactly(c, b);
        assertThat(inResearch.json().path("data").findValuesAsString("id")).containsExactly(b);
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.text("param")).isEqualTo("status");
    }

    @Test
    void servesMetricsAndCheckpointsAndStartsANewJobFromACheckpoint() {
        // given: a job that wrote a metric and a checkpoint at step 10
        String id = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), jobRequest(dataset)).text("id");
        JobId job = JobId.parse(id);
        metrics.save(new JobMetric(job, 10, 0.5, 2.5, 2.7, 1e-4, 1234.0, Instant.now()));
        checkpoints.save(new JobCheckpoint(job, 10, "tenants/" + tenant.id() + "/jobs/" + id + "/checkpoints/step-10/", Instant.now()));

        // when
        Response metricList = api.get("/api/v1/fine-tuning/jobs/" + id + "/metrics", tenant.adminKey());
        Response checkpointList = api.get("/api/v1/fine-tuning/jobs/" + id + "/checkpoints", tenant.adminKey());
        String checkpointId = checkpointList.json().path("data").get(0).path("id").asString();
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("from_checkpoint", checkpointId);
        Response resumed = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);
        body.put("from_checkpoint", id + ":step-11");
        Response missing = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        JsonNode metric = metricList.json().path("data").get(0);
        assertThat(metric.path("step").asInt()).isEqualTo(10);
        assertThat(metric.path("loss").asDouble()).isEqualTo(2.5);
        assertThat(metric.path("eval_loss").asDouble()).isEqualTo(2.7);
        assertThat(metric.path("learning_rate").asDouble()).isEqualTo(1e-4);
        assertThat(metric.path("tokens_per_second").asDouble()).isEqualTo(1234.0);
        assertThat(checkpointList.json().path("data").get(0).path("metrics").path("loss").asDouble()).isEqualTo(2.5);
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(201);
        assertThat(resumed.text("from_checkpoint")).isEqualTo(checkpointId);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.text("param")).isEqualTo("from_checkpoint");
    }

    @Test
    void rejectsTooMuchMetadataNamingTheField() {
        // given
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            metadata.put("k" + i, "v");
        }
        Map<String, Object> body = new HashMap<>(jobRequest(dataset));
        body.put("metadata", metadata);

        // when
        Response r = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(), body);

        // then
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("param")).isEqualTo("metadata");
        assertThat(List.of(r.text("type"))).containsExactly("https://finetune.dev/problems/validation");
    }
}
