package dev.finetune.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Damaged real files and bad requests, each answered with its named RFC 9457 problem (a stable
 * {@code type}, the line or parameter at fault), and nothing stored changes: the rows of every
 * table a request could touch and the bucket's whole listing are the same before and after.
 * Last, a worse adapter version is kept out of {@code production} by the registry's gate.
 *
 * <p>The damaged files are GSM8K's first training records turned into the completion format
 * ({@code {"prompt", "completion"}}) and then broken the way real files break.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {

    private final PlatformUnderTest platform = PlatformUnderTest.get();
    private Scenario.TenantKeys tenant;
    private Scenario.TenantKeys other;
    private String model;
    private String dataset;
    private WorkerProcess worker;

    @TempDir
    Path dir;

    @BeforeAll
    void tenantsWithAModelAndADataset() throws IOException {
        tenant = Scenario.newTenant(platform, "bad-input");
        other = Scenario.newTenant(platform, "bad-input-other");
        model = Scenario.registerTinystories(tenant.admin(), "tinystories-656k");
        Path good = Files.createTempFile("gsm8k-completion", ".jsonl");
        Files.write(good, String.join("\n", gsm8kCompletionLines(40)).getBytes(StandardCharsets.UTF_8));
        dataset = Scenario.dataset(tenant.submit(), good, "completion");
    }

    @AfterAll
    void stopWorker() {
        tenant.admin().cancelUnfinishedJobs();
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    @Order(1)
    void namesTheLineOfATruncatedJsonRecord() throws IOException {
        // given: line 5 cut off mid-record, as an interrupted export leaves it
        List<String> lines = gsm8kCompletionLines(20);
        lines.set(4, lines.get(4).substring(0, lines.get(4).length() / 2));

        // when
        Path file = write("truncated.jsonl", lines);
        Api.Response r = unchanged(() -> Scenario.uploadDataset(tenant.submit(), file, "completion"));

        // then
        assertThat(r.status()).as("%s", r).isEqualTo(422);
        assertThat(r.problemSlug()).isEqualTo("invalid-dataset");
        assertThat(errorLines(r)).containsExactly(5);
        assertThat(r.json().path("detail").asString()).contains("first at line 5");
        assertThat(r.json().path("rows").asInt()).isEqualTo(20);
        assertThat(r.json().path("validRows").asInt()).isEqualTo(19);
    }

    @Test
    @Order(2)
    void namesTheLineAndFieldOfAMissingKey() throws IOException {
        // given: line 8 has its answer under the wrong key
        List<String> lines = gsm8kCompletionLines(20);
        lines.set(7, lines.get(7).replace("\"completion\"", "\"answer\""));

        // when
        Path file = write("missing-key.jsonl", lines);
        Api.Response r = unchanged(() -> Scenario.uploadDataset(tenant.submit(), file, "completion"));

        // then
        assertThat(r.status()).as("%s", r).isEqualTo(422);
        assertThat(r.problemSlug()).isEqualTo("invalid-dataset");
        JsonNode error = r.json().path("errors").get(0);
        assertThat(error.path("line").asInt()).isEqualTo(8);
        assertThat(error.path("field").asString()).isEqualTo("completion");
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(r.json().path("errors").size()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void namesTheLineOfBytesThatAreNotUtf8() throws IOException {
        // given: line 11 carries a Latin-1 byte sequence that is not valid UTF-8
        List<String> lines = gsm8kCompletionLines(20);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                bytes.write('\n');
            }
            byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
            if (i == 10) {
                line = lines.get(i).replace("{\"prompt\":\"", "{\"prompt\":\"Caf\u00e9: ").getBytes(StandardCharsets.ISO_8859_1);
            }
            bytes.write(line);
        }
        Path file = dir.resolve("latin1.jsonl");
        Files.write(file, bytes.toByteArray());

        // when
        Api.Response r = unchanged(() -> Scenario.uploadDataset(tenant.submit(), file, "completion"));

        // then
        assertThat(r.status()).as("%s", r).isEqualTo(422);
        assertThat(r.problemSlug()).isEqualTo("invalid-dataset");
        assertThat(errorLines(r)).containsExactly(11);
        assertThat(r.json().path("errors").get(0).path("message").asString()).containsIgnoringCase("utf-8");
    }

    @Test
    @Order(4)
    void refusesAnUploadAboveTheSizeLimitAsMultipartAndAsARawBody() throws IOException {
        // given: valid records, repeated past this instance's 512KB limit
        List<String> lines = new ArrayList<>();
        while (String.join("\n", lines).length() < 700_000) {
            lines.addAll(gsm8kCompletionLines(400));
        }
        Path big = write("oversized.jsonl", lines);

        // when
        Api.Response multipart = unchanged(() -> Scenario.uploadDataset(tenant.submit(), big, "completion"));
        Api.Response raw = unchanged(() -> tenant.submit().postRaw("/api/v1/datasets?name=big&format=completion",
                "application/jsonl", read(big)));

        // then
        for (Api.Response r : List.of(multipart, raw)) {
            assertThat(r.status()).as("%s", r).isEqualTo(413);
            assertThat(r.problemSlug()).isEqualTo("payload-too-large");
            assertThat(r.json().path("detail").asString()).isNotBlank();
        }
    }

    @Test
    @Order(5)
    void refusesAJobForAnUnknownBaseModel() {
        Api.Response r = unchanged(() -> tenant.submit().post("/api/v1/fine-tuning/jobs",
                Scenario.job("no-such-model", dataset, "qlora", 2, "default")));

        assertThat(r.status()).as("%s", r).isEqualTo(404);
        assertThat(r.problemSlug()).isEqualTo("not-found");
        assertThat(r.json().path("param").asString()).isEqualTo("model");
    }

    @Test
    @Order(6)
    void refusesARankOfZeroOrLess() {
        for (int rank : new int[] {0, -4}) {
            Map<String, Object> body = Scenario.job(model, dataset, "lora", 2, "default");
            hyperparameters(body).put("lora_r", rank);

            Api.Response r = unchanged(() -> tenant.submit().post("/api/v1/fine-tuning/jobs", body));

            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().path("param").asString()).as("%s", r).endsWith("lora_r");
            assertThat(r.json().path("detail").asString()).contains("lora_r").contains(String.valueOf(rank));
        }
    }

    @Test
    @Order(7)
    void answersAnotherTenantsDatasetAsIfItDidNotExist() {
        // given: a dataset of the other tenant
        String theirs = Scenario.dataset(other.submit(),
                PlatformUnderTest.samples().resolve("datasets/llamafactory_identity.json"), "instruction");

        // when
        Api.Response r = unchanged(() -> tenant.submit().post("/api/v1/fine-tuning/jobs",
                Scenario.job(model, theirs, "lora", 2, "default")));
        Api.Response read = tenant.submit().get("/api/v1/datasets/" + theirs);

        // then: 404, never a 403 that would confirm it exists
        assertThat(r.status()).as("%s", r).isEqualTo(404);
        assertThat(r.problemSlug()).isEqualTo("not-found");
        assertThat(r.json().path("param").asString()).isEqualTo("training_file");
        assertThat(read.status()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void explainsAMalformedJsonBody() {
        Api.Response r = unchanged(() -> tenant.submit().postRaw("/api/v1/fine-tuning/jobs", "application/json",
                ("{\"model\": \"" + model + "\", \"training_file\": ").getBytes(StandardCharsets.UTF_8)));

        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.problemSlug()).isEqualTo("malformed-request");
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("at tools.jackson");
    }

    @Test
    @Order(9)
    void refusesAnUnknownHyperparameterByName() {
        Map<String, Object> body = Scenario.job(model, dataset, "lora", 2, "default");
        hyperparameters(body).put("lora_rank", 16);

        Api.Response r = unchanged(() -> tenant.submit().post("/api/v1/fine-tuning/jobs", body));

        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("param").asString()).as("%s", r).contains("lora_rank");
        assertThat(r.json().path("detail").asString()).contains("lora_rank");
    }

    @Test
    @Order(10)
    void keepsAWorseVersionOutOfProductionAndNamesBothEvalLosses() {
        // given: two versions of one segment trained on the same data and seed (so the same eval set):
        // a real run, then a much shorter one with a tiny learning rate; the good one is in production
        worker = platform.startWorker("gate", Map.of());
        Map<String, Object> good = Scenario.job(model, dataset, "lora", 24, "default");
        Map<String, Object> worse = Scenario.job(model, dataset, "lora", 1, "default");
        hyperparameters(worse).put("learning_rate", 1e-6);
        int goodVersion = trainedVersion(good);
        int worseVersion = trainedVersion(worse);
        Api api = tenant.submit();
        String aliases = "/api/v1/registry/repositories/default/aliases/production";
        assertThat(api.put(aliases, Map.of("version", goodVersion)).status()).isEqualTo(200);
        long auditBefore = count("adapter_alias_audit");

        // when
        Api.Response r = api.put(aliases, Map.of("version", worseVersion, "reason", "try the short run"));

        // then: 409 from the gate naming both versions' eval losses, and production has not moved
        assertThat(r.status()).as("%s", r).isEqualTo(409);
        assertThat(r.problemSlug()).isEqualTo("promotion-blocked");
        JsonNode p = r.json();
        assertThat(p.path("candidateVersion").asInt()).isEqualTo(worseVersion);
        assertThat(p.path("currentVersion").asInt()).isEqualTo(goodVersion);
        double candidate = p.path("candidateEvalLoss").asDouble();
        double current = p.path("currentEvalLoss").asDouble();
        assertThat(candidate).isGreaterThan(current);
        assertThat(p.path("detail").asString()).contains(String.valueOf(candidate)).contains(String.valueOf(current));
        assertThat(p.path("candidateEvalSet").asString()).isEqualTo(p.path("currentEvalSet").asString());
        assertThat(count("adapter_alias_audit")).isEqualTo(auditBefore);
        JsonNode resolved = api.get("/api/v1/registry/resolve?ref=" + Api.encode("default@production")).json();
        assertThat(resolved.path("version").path("number").asInt()).isEqualTo(goodVersion);
    }

    private int trainedVersion(Map<String, Object> body) {
        String job = Scenario.createJob(tenant.submit(), body).path("id").asString();
        JsonNode done = Scenario.awaitFinished(tenant.submit(), job, Duration.ofMinutes(3));
        assertThat(done.path("status").asString()).as("%s; worker log:%n%s", done, worker.logText()).isEqualTo("succeeded");
        return Scenario.versionOf(tenant.submit(), "default", job, Duration.ofSeconds(30)).path("number").asInt();
    }

    /** What a rejected request must not change: rows of the tables it could touch, and every object in the bucket. */
    private record Stored(Map<String, Long> rows, List<String> objects) {
    }

    private Stored stored() {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : List.of("datasets", "fine_tuning_jobs", "job_events", "base_models", "adapter_versions",
                "adapter_alias_audit")) {
            rows.put(table, count(table));
        }
        return new Stored(rows, platform.objects(""));
    }

    /** Runs a request that must be refused and checks that nothing stored changed. */
    private Api.Response unchanged(Supplier<Api.Response> request) {
        Stored before = stored();
        Api.Response r = request.get();
        assertThat(r.status()).as("refused: %s", r).isBetween(400, 499);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(stored()).as("nothing stored changed after %s", r).isEqualTo(before);
        return r;
    }

    private long count(String table) {
        return platform.jdbc().sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    private static List<Integer> errorLines(Api.Response r) {
        List<Integer> lines = new ArrayList<>();
        r.json().path("errors").forEach(e -> lines.add(e.path("line").asInt()));
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> hyperparameters(Map<String, Object> job) {
        return (Map<String, Object>) job.get("hyperparameters");
    }

    private Path write(String name, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
        return file;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** GSM8K's first training records as {@code {"prompt": question, "completion": answer}} lines. */
    static List<String> gsm8kCompletionLines(int rows) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(PlatformUnderTest.samples().resolve("datasets/gsm8k_train_400.jsonl"))) {
            if (out.size() == rows) {
                break;
            }
            JsonNode r = Api.JSON.readTree(line);
            Map<String, String> record = new LinkedHashMap<>();
            record.put("prompt", r.path("question").asString());
            record.put("completion", r.path("answer").asString());
            out.add(Api.JSON.writeValueAsString(record));
        }
        return out;
    }
}
