package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;

/**
 * The steps the end-to-end stories share, each done the way a client does it: over the public API
 * with the key of the role that may do it.
 */
public final class Scenario {

    /** Terminal job statuses. */
    public static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");

    private Scenario() {
    }

    /** A tenant created by the operator: its first admin key and a submit key the admin made. */
    public record TenantKeys(String tenantId, String name, Api admin, Api submit) {
    }

    public static TenantKeys newTenant(PlatformUnderTest platform, String name) {
        String unique = name + "-" + Long.toString(System.nanoTime(), 36);
        Api.Response created = platform.operator().post("/api/v1/tenants", Map.of("name", unique));
        assertThat(created.status()).as("create tenant: %s", created).isEqualTo(201);
        Api admin = platform.as(created.json().path("admin_key").path("key").asString());
        Api.Response key = admin.post("/api/v1/api-keys", Map.of("name", "ci-pipeline", "scopes", List.of("submit")));
        assertThat(key.status()).as("create submit key: %s", key).isEqualTo(201);
        return new TenantKeys(created.json().path("id").asString(), unique, admin,
                platform.as(key.json().path("key").asString()));
    }

    /** Uploads a file as multipart part {@code file}; returns the answer (201 with the dataset, or a problem). */
    public static Api.Response uploadDataset(Api api, Path file, String format) {
        String query = "?name=" + Api.encode(file.getFileName().toString()) + (format == null ? "" : "&format=" + format);
        return api.postFiles("/api/v1/datasets" + query, "file", List.of(file));
    }

    /** Uploads a dataset that must be accepted; returns its id. */
    public static String dataset(Api api, Path file, String format) {
        Api.Response r = uploadDataset(api, file, format);
        assertThat(r.status()).as("dataset upload: %s", r).isEqualTo(201);
        return r.json().path("id").asString();
    }

    /** The bundled tinystories-656k checkpoint's Hugging Face files (not the test-only reference outputs). */
    public static List<Path> tinystoriesFiles() {
        try (Stream<Path> files = Files.list(PlatformUnderTest.samples().resolve("models/tinystories-656k"))) {
            return files.filter(f -> !f.getFileName().toString().startsWith("REFERENCE")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers the bundled checkpoint for the admin's tenant by multipart upload; returns the base model id. */
    public static String registerTinystories(Api admin, String name) {
        Api.Response r = admin.postFiles("/api/v1/base-models?name=" + name, null, tinystoriesFiles());
        assertThat(r.status()).as("base model upload: %s", r).isEqualTo(201);
        return r.json().path("id").asString();
    }

    /** A short QLoRA (or other method) run on the tinystories model: {@code steps} optimizer steps. */
    public static Map<String, Object> job(String model, String dataset, String method, int steps, String segment) {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("max_steps", steps);
        hp.put("batch_size", 4);
        hp.put("learning_rate", 0.002);
        hp.put("warmup_ratio", 0.0);
        hp.put("max_seq_length", 128);
        hp.put("lora_r", 8);
        hp.put("lora_alpha", 16);
        hp.put("lora_dropout", 0.0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("training_file", dataset);
        body.put("method", method);
        body.put("hyperparameters", hp);
        body.put("segment", segment);
        body.put("seed", 7);
        return body;
    }

    public static JsonNode createJob(Api api, Map<String, Object> body) {
        Api.Response r = api.post("/api/v1/fine-tuning/jobs", body);
        assertThat(r.status()).as("create job: %s", r).isEqualTo(201);
        return r.json();
    }

    /** Polls the job until {@code until} holds; fails with the job's last state otherwise. */
    public static JsonNode awaitJob(Api api, String jobId, Predicate<JsonNode> until, Duration within) {
        Instant deadline = Instant.now().plus(within);
        JsonNode job = null;
        while (Instant.now().isBefore(deadline)) {
            job = api.get("/api/v1/fine-tuning/jobs/" + jobId).json();
            if (until.test(job)) {
                return job;
            }
            sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("job " + jobId + " did not reach the expected state within " + within + "; last: " + job);
    }

    public static JsonNode awaitFinished(Api api, String jobId, Duration within) {
        return awaitJob(api, jobId, j -> FINISHED.contains(j.path("status").asString()), within);
    }

    /** The registry version the job produced (registered right after the job succeeded). */
    public static JsonNode versionOf(Api api, String segment, String jobId, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            Api.Response r = api.get("/api/v1/registry/repositories/" + segment + "/versions?limit=100");
            if (r.status() == 200) {
                for (JsonNode v : r.json().path("items")) {
                    if (jobId.equals(v.path("source_job_id").asString())) {
                        return v;
                    }
                }
            }
            sleep(Duration.ofMillis(250));
        }
        throw new AssertionError("no registry version of job " + jobId + " in segment " + segment + " within " + within);
    }

    /** Every event of a job, oldest first, through the JSON pages. */
    public static List<JsonNode> events(Api api, String jobId) {
        List<JsonNode> all = new java.util.ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = api.get("/api/v1/fine-tuning/jobs/" + jobId + "/events?limit=1000&after=" + after).json();
            page.path("data").forEach(all::add);
            if (!page.path("has_more").asBoolean()) {
                return all;
            }
            after = all.get(all.size() - 1).path("id").asLong();
        }
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
