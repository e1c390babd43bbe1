package dev.finetune.api.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobId;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.registry.AdapterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The whole API with {@code finetune.downloads.mode=proxied}, as the local platform runs it: a
 * registry version's files are listed with URLs of the API, which streams them with the same API
 * key and tenant checks as every other call.
 */
@TestPropertySource(properties = "finetune.downloads.mode=proxied")
class ProxiedDownloadTest extends ApiTestBase {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    AdapterRegistry registry;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    ArtifactStore store;

    TestTenant tenant;
    String readKey;
    Map<String, byte[]> adapter;
    String version;

    @BeforeEach
    void aRegisteredAdapterVersion() {
        tenant = newTenant("downloads");
        readKey = key(tenant, "read");
        Api.Response created = api.postJson("/api/v1/fine-tuning/jobs", tenant.adminKey(),
                jobRequest(uploadDataset(tenant, "llamafactory_identity.json")), Map.of("Idempotency-Key", "dl-" + System.nanoTime()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JobId jobId = JobId.parse(created.text("id"));
        TenantId tenantId = TenantId.parse(tenant.id());

        // what a worker leaves behind: the adapter's files, a succeeded job, a registry version
        byte[] weights = new byte[3 * 1024 * 1024 + 5];
        new Random(5).nextBytes(weights);
        adapter = Map.of("adapter_config.json", "{\"peft_type\": \"LORA\", \"r\": 2}".getBytes(StandardCharsets.UTF_8),
                "adapter_model.safetensors", weights);
        String prefix = ObjectKeys.adapterPrefix(tenantId, jobId);
        adapter.forEach((name, bytes) -> store.put(prefix + name, new ByteArrayInputStream(bytes), bytes.length, null));
        FineTuningJob job = jobs.find(tenantId, jobId).orElseThrow();
        job.transitionTo(JobStatus.RUNNING, Instant.now());
        job.succeed(100, List.of(prefix + "adapter_model.safetensors"), Instant.now());
        jobs.save(job);
        registry.register(new FineTuningSucceeded(jobId, tenantId, SegmentName.DEFAULT, job.baseModelId(),
                "b".repeat(64), "d".repeat(64), null, job.method(), job.hyperparameters(),
                new FineTuningSucceeded.Metrics(10, 100, 3.0, 2.0, null, null, null, null),
                new FineTuningSucceeded.Artifact(prefix, "e".repeat(64), weights.length + 30), "ft_test", Instant.now()));
        version = "/api/v1/registry/repositories/default/versions/1";
    }

    @Test
    void listsApiUrlsThatStreamEachFileWithTheKey() throws Exception {
        // when
        JsonNode files = api.get(version + "/files", readKey).json();

        // then
        assertThat(files).hasSize(2);
        for (JsonNode file : files) {
            String path = file.get("path").asString();
            String url = file.get("url").asString();
            assertThat(url).isEqualTo(api.base() + version + "/download?file=" + path);
            HttpResponse<byte[]> response = get(url, readKey);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Disposition")).as(path).hasValue("attachment; filename=\"" + path + "\"");
            assertThat(response.headers().firstValueAsLong("Content-Length")).as(path).hasValue(adapter.get(path).length);
            assertThat(response.headers().firstValue("Content-Type")).as(path)
                    .hasValue(path.endsWith(".json") ? "application/json" : "application/octet-stream");
            assertThat(response.body()).as(path).isEqualTo(adapter.get(path));
        }
    }

    @Test
    void refusesAMissingKeyAndHidesTheFileFromAnotherTenant() throws Exception {
        // given
        String url = api.get(version + "/files", readKey).json().get(0).get("url").asString();
        TestTenant other = newTenant("other");

        // when
        HttpResponse<byte[]> anonymous = get(url, null);
        HttpResponse<byte[]> stranger = get(url, other.adminKey());
        Api.Response strangerList = api.get(version + "/files", other.adminKey());

        // then
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(problemType(anonymous)).isEqualTo("https://finetune.dev/problems/unauthenticated");
        assertThat(stranger.statusCode()).isEqualTo(404);
        assertThat(problemType(stranger)).isEqualTo("https://finetune.dev/problems/not-found");
        assertThat(stranger.headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(strangerList.status()).isEqualTo(404);
    }

    @Test
    void answersAnUnknownOrBadFileWithANamedProblem() throws Exception {
        // when
        HttpResponse<byte[]> unknown = get(api.base() + version + "/download?file=nope.bin", readKey);
        HttpResponse<byte[]> bad = get(api.base() + version + "/download?file=..%2Fadapter_config.json", readKey);

        // then
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(unknown).get("resource").asString()).isEqualTo("file");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(problemType(bad)).isEqualTo("https://finetune.dev/problems/validation");
        assertThat(json(bad).get("field").asString()).isEqualTo("file");
    }

    private static HttpResponse<byte[]> get(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        return Api.JSON.readTree(new String(response.body(), StandardCharsets.UTF_8));
    }

    private static String problemType(HttpResponse<byte[]> response) {
        return json(response).get("type").asString();
    }
}
