package dev.finetune.api.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.job.JobId;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/** Every endpoint that takes an id answers 404 for another tenant's resource, never 403 or 200. */
class TenantIsolationTest extends ApiTestBase {

    @Autowired
    JobCheckpointRepository checkpoints;

    TestTenant owner;
    TestTenant intruder;
    Map<String, String> ids;

    @BeforeEach
    void ownerWithOneOfEverything() {
        owner = newTenant("owner");
        intruder = newTenant("intruder");
        String dataset = uploadDataset(owner, "llamafactory_identity.json");
        Response job = api.postJson("/api/v1/fine-tuning/jobs", owner.adminKey(), jobRequest(dataset));
        checkpoints.save(new JobCheckpoint(JobId.parse(job.text("id")), 5, "tenants/" + owner.id() + "/ck/", Instant.now()));
        Response model = api.postMultipart("/api/v1/base-models", owner.adminKey(), Map.of("name", "private-" + System.nanoTime()),
                demoModelFiles());
        Response key = api.postJson("/api/v1/api-keys", owner.adminKey(), Map.of("name", "x", "scopes", java.util.List.of("read")));
        ids = Map.of("dataset", dataset, "job", job.text("id"), "model", model.text("id"), "key", key.text("id"));
    }

    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/datasets/{dataset}"),
                Arguments.of("GET", "/api/v1/datasets/{dataset}/content"),
                Arguments.of("DELETE", "/api/v1/datasets/{dataset}"),
                Arguments.of("GET", "/api/v1/base-models/{model}"),
                Arguments.of("DELETE", "/api/v1/api-keys/{key}"),
                Arguments.of("GET", "/api/v1/fine-tuning/jobs/{job}"),
                Arguments.of("POST", "/api/v1/fine-tuning/jobs/{job}/cancel"),
                Arguments.of("GET", "/api/v1/fine-tuning/jobs/{job}/events"),
                Arguments.of("SSE", "/api/v1/fine-tuning/jobs/{job}/events"),
                Arguments.of("GET", "/api/v1/fine-tuning/jobs/{job}/metrics"),
                Arguments.of("GET", "/api/v1/fine-tuning/jobs/{job}/checkpoints"),
                Arguments.of("GET", "/api/v1/datasets?after={dataset}"),
                Arguments.of("GET", "/api/v1/fine-tuning/jobs?after={job}"),
                Arguments.of("CREATE_JOB", "training_file={dataset}"),
                Arguments.of("CREATE_JOB", "model={model}"),
                Arguments.of("CREATE_JOB", "from_checkpoint={job}:step-5"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void answers404ForAnotherTenantsResource(String method, String template) {
        // given
        String target = template;
        for (Map.Entry<String, String> id : ids.entrySet()) {
            target = target.replace("{" + id.getKey() + "}", id.getValue());
        }

        // when
        Response r = call(method, target, intruder.adminKey());

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body()).doesNotContain(owner.id());
        // and the owner does see it
        if (method.equals("GET") && !target.contains("?")) {
            Response own = api.get(target, owner.adminKey());
            assertThat(own.status()).as(own.toString()).isEqualTo(200);
        }
    }

    private Response call(String method, String target, String key) {
        return switch (method) {
            case "GET" -> api.get(target, key);
            case "SSE" -> api.get(target, key, Map.of("Accept", "text/event-stream"));
            case "DELETE" -> api.delete(target, key);
            case "POST" -> api.postEmpty(target, key);
            case "CREATE_JOB" -> {
                String dataset = uploadDataset(intruder, "glaive_toolcall_40.json");
                Map<String, Object> body = new java.util.HashMap<>(Map.of("model", demoModelId(), "training_file", dataset));
                String[] kv = target.split("=", 2);
                body.put(kv[0], kv[1]);
                Response r = api.postJson("/api/v1/fine-tuning/jobs", key, body);
                assertThat(r.text("param")).isEqualTo(kv[0]);
                yield r;
            }
            default -> null;
        };
    }
}
