package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * One tenant's real resources (a dataset, a base model, a job a worker trained with its events,
 * metrics and checkpoints, the registry version it produced with an alias) tried by another
 * tenant's admin key on every endpoint that takes an id or a segment: each answers 404, never 403
 * or the data, and nothing of the owner's changes. The owner's own key gets 200 on the same reads,
 * so the ids are real.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationIT {

    /** A segment only the owner has: the other tenant's same-named segment would be its own. */
    private static final String SEGMENT = "owners-only";

    /** The reference a refused job names. */
    private static final Map<String, String> PARAMS = Map.of(
            "POST job with their dataset", "training_file",
            "POST job with their model", "model",
            "POST job from their checkpoint", "from_checkpoint",
            "POST job in their segment", "segment");

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private Scenario.TenantKeys owner;
    private Scenario.TenantKeys intruder;
    private String dataset;
    private String model;
    private String job;
    private String checkpoint;
    private String keyId;
    private int version;

    @BeforeAll
    void ownerWithATrainedJobAndARegistryVersion() {
        owner = Scenario.newTenant(platform, "owner");
        intruder = Scenario.newTenant(platform, "intruder");
        assertThat(owner.admin().post("/api/v1/segments", Map.of("name", SEGMENT)).status()).isEqualTo(201);
        dataset = Scenario.dataset(owner.submit(), PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"),
                "instruction");
        model = Scenario.registerTinystories(owner.admin(), "tinystories-656k");
        // the intruder has a model of the same name and a dataset of its own, so each job below fails on one reference
        Scenario.registerTinystories(intruder.admin(), "tinystories-656k");
        try (WorkerProcess worker = platform.startWorker("isolation", Map.of())) {
            job = Scenario.createJob(owner.submit(), Scenario.job(model, dataset, "qlora", 8, SEGMENT)).path("id").asString();
            JsonNode done = Scenario.awaitFinished(owner.submit(), job, Duration.ofMinutes(3));
            assertThat(done.path("status").asString()).as("%s; worker log:%n%s", done, worker.logText()).isEqualTo("succeeded");
        }
        version = Scenario.versionOf(owner.submit(), SEGMENT, job, Duration.ofSeconds(30)).path("number").asInt();
        assertThat(owner.submit().put(registry("/aliases/production"), Map.of("version", version)).status()).isEqualTo(200);
        checkpoint = owner.submit().get(jobs("/checkpoints")).json().path("data").get(0).path("id").asString();
        keyId = owner.admin().get("/api/v1/api-keys").json().path("data").get(0).path("id").asString();
    }

    @AfterAll
    void noQueuedJobsLeft() {
        if (owner != null) {
            owner.admin().cancelUnfinishedJobs();
            intruder.admin().cancelUnfinishedJobs();
        }
    }

    @Test
    void answersEveryEndpointWithAnotherTenantsIdsWithNotFound() {
        // given: every read of the owner's resources works for the owner
        Map<String, Function<Api, Api.Response>> reads = new LinkedHashMap<>();
        reads.put("GET dataset", a -> a.get("/api/v1/datasets/" + dataset));
        reads.put("GET dataset content", a -> a.get("/api/v1/datasets/" + dataset + "/content"));
        reads.put("GET datasets after", a -> a.get("/api/v1/datasets?after=" + dataset));
        reads.put("GET base model", a -> a.get("/api/v1/base-models/" + model));
        reads.put("GET job", a -> a.get(jobs("")));
        reads.put("GET jobs after", a -> a.get("/api/v1/fine-tuning/jobs?after=" + job));
        reads.put("GET events", a -> a.get(jobs("/events")));
        reads.put("GET events (SSE)", a -> a.send(a.request(jobs("/events")).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10)).GET()));
        reads.put("GET metrics", a -> a.get(jobs("/metrics")));
        reads.put("GET checkpoints", a -> a.get(jobs("/checkpoints")));
        reads.put("GET repository", a -> a.get(registry("")));
        reads.put("GET versions", a -> a.get(registry("/versions")));
        reads.put("GET version", a -> a.get(registry("/versions/" + version)));
        reads.put("GET version files", a -> a.get(registry("/versions/" + version + "/files")));
        reads.put("GET version download", a -> a.get(registry("/versions/" + version + "/download")));
        reads.put("GET version download file", a -> a.get(registry("/versions/" + version + "/download?file=adapter_config.json")));
        reads.put("GET compare", a -> a.get(registry("/compare?a=" + version + "&b=" + version)));
        reads.put("GET aliases", a -> a.get(registry("/aliases")));
        reads.put("GET audit", a -> a.get(registry("/audit")));
        reads.put("GET resolve alias", a -> a.get("/api/v1/registry/resolve?ref=" + Api.encode(SEGMENT + "@production")));
        reads.put("GET resolve version", a -> a.get("/api/v1/registry/resolve?ref=" + Api.encode(SEGMENT + "/" + version)));
        SoftAssertions owners = new SoftAssertions();
        reads.forEach((name, call) -> {
            Api.Response r = call.apply(owner.admin());
            owners.assertThat(r.status()).as("owner: %s -> %s", name, r).isEqualTo(200);
        });
        owners.assertAll();

        // and the writes the intruder might try
        Map<String, Function<Api, Api.Response>> writes = new LinkedHashMap<>();
        writes.put("DELETE dataset", a -> a.delete("/api/v1/datasets/" + dataset));
        writes.put("POST job cancel", a -> a.post(jobs("/cancel"), Map.of()));
        writes.put("POST job with their dataset", a -> a.post("/api/v1/fine-tuning/jobs", Scenario.job("tinystories-656k", dataset, "lora", 1, "default")));
        writes.put("POST job with their model", a -> a.post("/api/v1/fine-tuning/jobs", Scenario.job(model, ownDataset(a), "lora", 1, "default")));
        writes.put("POST job from their checkpoint", a -> {
            Map<String, Object> body = Scenario.job("tinystories-656k", ownDataset(a), "lora", 1, "default");
            body.put("from_checkpoint", checkpoint);
            return a.post("/api/v1/fine-tuning/jobs", body);
        });
        writes.put("POST job in their segment", a -> a.post("/api/v1/fine-tuning/jobs", Scenario.job("tinystories-656k", ownDataset(a), "lora", 1, SEGMENT)));
        writes.put("DELETE their api key", a -> a.delete("/api/v1/api-keys/" + keyId));
        writes.put("PUT repository gate", a -> a.put(registry(""), Map.of("gate", Map.of("rule", "none"))));
        writes.put("PUT alias", a -> a.put(registry("/aliases/staging"), Map.of("version", version)));
        writes.put("POST alias rollback", a -> a.post(registry("/aliases/production/rollback"), Map.of("reason", "x")));
        writes.put("DELETE alias", a -> a.delete(registry("/aliases/production")));
        writes.put("PUT version tag", a -> a.put(registry("/versions/" + version + "/tags/owner"), Map.of("value", "me")));
        writes.put("POST version archive", a -> a.post(registry("/versions/" + version + "/archive"), Map.of()));
        writes.put("DELETE version", a -> a.delete(registry("/versions/" + version)));

        // when: the intruder's admin key tries all of them
        SoftAssertions intruders = new SoftAssertions();
        List<String> tried = new ArrayList<>();
        for (Map<String, Function<Api, Api.Response>> calls : List.of(reads, writes)) {
            calls.forEach((name, call) -> {
                Api.Response r = call.apply(intruder.admin());
                tried.add(name);
                // then: 404 every time, as a problem that names nothing of the owner's
                intruders.assertThat(r.status()).as("intruder: %s -> %s", name, r).isEqualTo(404);
                if (r.contentType().startsWith("application/problem+json")) {
                    intruders.assertThat(r.problemSlug()).as("intruder: %s", name).isEqualTo("not-found");
                    intruders.assertThat(r.text()).as("intruder: %s", name).doesNotContain(owner.tenantId());
                }
                if (PARAMS.containsKey(name)) {
                    intruders.assertThat(r.json().path("param").asString()).as("intruder: %s -> %s", name, r)
                            .isEqualTo(PARAMS.get(name));
                }
            });
        }
        intruders.assertAll();
        assertThat(tried).hasSize(reads.size() + writes.size());

        // and the owner's things are as they were
        assertThat(owner.admin().get(jobs("")).json().path("status").asString()).isEqualTo("succeeded");
        assertThat(owner.admin().get("/api/v1/datasets/" + dataset).status()).isEqualTo(200);
        JsonNode repo = owner.admin().get(registry("")).json();
        assertThat(owner.admin().get(registry("/aliases")).text()).contains("production");
        assertThat(owner.admin().get(registry("/versions/" + version)).json().path("tags").isEmpty()).isTrue();
        assertThat(repo.toString()).doesNotContain("\"none\"");
        assertThat(owner.admin().get("/api/v1/registry/resolve?ref=" + Api.encode(SEGMENT + "@production"))
                .json().path("version").path("number").asInt()).isEqualTo(version);
        // and the lists an intruder can ask for hold none of it
        assertThat(intruder.admin().get("/api/v1/registry/versions?segment=" + SEGMENT).json().path("items").isEmpty()).isTrue();
        assertThat(intruder.admin().get("/api/v1/fine-tuning/jobs?segment=" + SEGMENT).json().path("data").isEmpty()).isTrue();
        assertThat(intruder.admin().get("/api/v1/datasets").text()).doesNotContain(dataset);
        assertThat(intruder.admin().get("/api/v1/base-models").text()).doesNotContain(model);
    }

    private String intruderDataset;

    private String ownDataset(Api intruderApi) {
        if (intruderDataset == null) {
            intruderDataset = Scenario.dataset(intruderApi, PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"),
                    "instruction");
        }
        return intruderDataset;
    }

    private String jobs(String suffix) {
        return "/api/v1/fine-tuning/jobs/" + job + suffix;
    }

    private static String registry(String suffix) {
        return "/api/v1/registry/repositories/" + SEGMENT + suffix;
    }
}
