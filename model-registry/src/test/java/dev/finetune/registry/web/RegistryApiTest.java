package dev.finetune.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.Adapters;
import dev.finetune.registry.RegistryTestApplication;
import dev.finetune.registry.TaskEvaluations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The REST API over real HTTP, with the registry on real PostgreSQL and S3Proxy. */
@SpringBootTest(classes = RegistryTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class RegistryApiTest {

    static final String BASE = "/api/v1/registry";
    static final String REPO = BASE + "/repositories/acme-support";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    AdapterRegistry registry;
    @Autowired
    Adapters adapters;
    @Autowired
    ArtifactStore store;
    @Autowired
    TaskEvaluations evaluations;

    final HttpClient http = HttpClient.newHttpClient();
    Fixture acme;

    @BeforeEach
    void aRepositoryWithTwoVersions() {
        acme = adapters.tenant("acme", "acme-support");
        registry.register(adapters.succeeded(acme, 0.50));
        registry.register(adapters.succeeded(acme, 0.60));
    }

    @Test
    void listsPromotesRollsBackAndResolvesOverHttp() throws Exception {
        // when / then: lists in snake_case with a cursor
        JsonNode repos = json(call("GET", BASE + "/repositories", null, "read"), 200);
        assertThat(repos.get("items").get(0).get("segment").asString()).isEqualTo("acme-support");
        assertThat(repos.get("items").get(0).get("latest_version").asInt()).isEqualTo(2);
        JsonNode page = json(call("GET", REPO + "/versions?limit=1", null, "read"), 200);
        assertThat(page.get("items").get(0).get("number").asInt()).isEqualTo(2);
        assertThat(page.get("items").get(0).get("hyperparameters").get("lora_r").asInt()).isEqualTo(8);
        JsonNode next = json(call("GET", REPO + "/versions?limit=1&cursor=" + page.get("next_cursor").asString(), null, "read"), 200);
        assertThat(next.get("items").get(0).get("number").asInt()).isEqualTo(1);

        // promote 1; 2 is worse and blocked with both metrics
        assertThat(json(call("PUT", REPO + "/aliases/production", "{\"version\":1}", "submit"), 200)
                .get("to_version").asInt()).isEqualTo(1);
        HttpResponse<byte[]> blocked = call("PUT", REPO + "/aliases/production", "{\"version\":2}", "submit");
        JsonNode problem = json(blocked, 409);
        assertThat(blocked.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(problem.get("type").asString()).isEqualTo("https://finetune.dev/problems/promotion-blocked");
        assertThat(problem.get("gate").asString()).isEqualTo("eval_loss_no_worse");
        assertThat(problem.get("candidateEvalLoss").asDouble()).isEqualTo(0.60);
        assertThat(problem.get("currentEvalLoss").asDouble()).isEqualTo(0.50);

        // forcing needs a reason
        JsonNode noReason = json(call("PUT", REPO + "/aliases/production", "{\"version\":2,\"force\":true}", "submit"), 400);
        assertThat(noReason.get("field").asString()).isEqualTo("reason");
        JsonNode forced = json(call("PUT", REPO + "/aliases/production",
                "{\"version\":2,\"force\":true,\"reason\":\"needs the new tone\"}", "submit"), 200);
        assertThat(forced.get("forced").asBoolean()).isTrue();

        // a stale compare-and-set is a conflict
        JsonNode stale = json(call("PUT", REPO + "/aliases/production", "{\"version\":1,\"expected_version\":1}", "submit"), 409);
        assertThat(stale.get("currentVersion").asInt()).isEqualTo(2);

        // resolution follows the alias, and a rollback moves it back
        assertThat(resolvedVersion()).isEqualTo(2);
        JsonNode rollback = json(call("POST", REPO + "/aliases/production/rollback", "{\"reason\":\"complaints\"}", "submit"), 200);
        assertThat(rollback.get("to_version").asInt()).isEqualTo(1);
        assertThat(resolvedVersion()).isEqualTo(1);
        JsonNode audit = json(call("GET", REPO + "/audit?alias=production", null, "read"), 200);
        assertThat(audit.get("items")).hasSize(3);
        assertThat(audit.get("items").get(0).get("action").asString()).isEqualTo("rollback");
        assertThat(audit.get("items").get(1).get("reason").asString()).isEqualTo("needs the new tone");

        // another base model is refused, never swapped
        JsonNode mismatch = json(call("GET", BASE + "/resolve?ref=acme-support@production&base_model=llama-3-8b", null, "read"), 409);
        assertThat(mismatch.get("type").asString()).endsWith("/base-model-mismatch");
        assertThat(mismatch.get("adapterBaseModel").asString()).isEqualTo(acme.model().name());
        json(call("GET", BASE + "/resolve?ref=acme-support", null, "read"), 400);
    }

    @Test
    void everyPagedListAnswersTheApiListShapeAndPagesWithAfter() throws Exception {
        // given an alias moved twice, so that the audit has two moves
        json(call("PUT", REPO + "/aliases/staging", "{\"version\":1}", "submit"), 200);
        json(call("PUT", REPO + "/aliases/staging", "{\"version\":2,\"force\":true,\"reason\":\"try it\"}", "submit"), 200);

        // when / then: each list is {object, data, has_more, last_id}, the deprecated items/next_cursor beside it
        for (String list : List.of(BASE + "/repositories", REPO + "/versions", BASE + "/versions?segment=acme-support",
                REPO + "/audit")) {
            JsonNode page = json(call("GET", list, null, "read"), 200);
            assertThat(page.propertyNames()).as(list)
                    .containsExactly("object", "data", "has_more", "last_id", "items", "next_cursor");
            assertThat(page.get("object").asString()).as(list).isEqualTo("list");
            assertThat(page.get("has_more").asBoolean()).as(list).isFalse();
            assertThat(page.get("data")).as(list).isNotEmpty().isEqualTo(page.get("items"));
            assertThat(page.get("last_id").isString()).as(list).isTrue();
            assertThat(page.get("next_cursor").isNull()).as(list).isTrue();
        }

        // and each pages with after=last_id, limit=1: the API's way
        for (String list : List.of(REPO + "/versions", BASE + "/versions", REPO + "/audit")) {
            String sep = list.contains("?") ? "&" : "?";
            JsonNode first = json(call("GET", list + sep + "limit=1", null, "read"), 200);
            assertThat(first.get("data")).as(list).hasSize(1);
            assertThat(first.get("has_more").asBoolean()).as(list).isTrue();
            assertThat(first.get("next_cursor").asString()).as(list).isEqualTo(first.get("last_id").asString());
            JsonNode second = json(call("GET", list + sep + "limit=1&after=" + first.get("last_id").asString(), null,
                    "read"), 200);
            assertThat(second.get("data")).as(list).hasSize(1);
            assertThat(second.get("data").get(0)).as(list).isNotEqualTo(first.get("data").get(0));
            assertThat(second.get("has_more").asBoolean()).as(list).isFalse();
            JsonNode past = json(call("GET", list + sep + "after=" + second.get("last_id").asString(), null, "read"), 200);
            assertThat(past.get("data")).as(list).isEmpty();
            assertThat(past.get("last_id").isNull()).as(list).isTrue();
            // the deprecated cursor still pages the same way
            assertThat(json(call("GET", list + sep + "limit=1&cursor=" + first.get("last_id").asString(), null, "read"),
                    200).get("data")).as(list).isEqualTo(second.get("data"));
        }
        JsonNode versions = json(call("GET", REPO + "/versions?limit=1", null, "read"), 200);
        assertThat(versions.get("data").get(0).get("number").asInt()).isEqualTo(2);
        assertThat(json(call("GET", REPO + "/versions?after=" + versions.get("last_id").asString(), null, "read"), 200)
                .get("data").get(0).get("number").asInt()).isEqualTo(1);

        // a last_id of another list, or after and cursor that disagree, is a 400 naming the parameter in param
        String repoCursor = json(call("GET", BASE + "/repositories", null, "read"), 200).get("last_id").asString();
        JsonNode foreign = json(call("GET", REPO + "/versions?after=" + repoCursor, null, "read"), 400);
        assertThat(foreign.get("param").asString()).isEqualTo("after");
        assertThat(foreign.get("field").asString()).isEqualTo("after");
        JsonNode both = json(call("GET", REPO + "/audit?after=" + versions.get("last_id").asString() + "&cursor=" + repoCursor,
                null, "read"), 400);
        assertThat(both.get("param").asString()).isEqualTo("cursor");
        assertThat(json(call("GET", BASE + "/repositories?limit=0", null, "read"), 400).get("param").asString())
                .isEqualTo("limit");
    }

    @Test
    void validationProblemsNameTheFieldInParamAndKeepFieldAsItsAlias() throws Exception {
        // when
        JsonNode noReason = json(call("PUT", REPO + "/aliases/production", "{\"version\":2,\"force\":true}", "submit"), 400);
        JsonNode noVersion = json(call("PUT", REPO + "/aliases/production", "{}", "submit"), 400);
        JsonNode badAlias = json(call("PUT", REPO + "/aliases/Prod", "{\"version\":1}", "submit"), 400);
        JsonNode noDataset = json(call("POST", REPO + "/versions/2/task-evaluations", "{}", "submit"), 400);

        // then: param, as the rest of the API says, and field with the same value for existing clients
        assertThat(noReason.get("param").asString()).isEqualTo("reason");
        assertThat(noVersion.get("param").asString()).isEqualTo("version");
        assertThat(badAlias.get("param").asString()).isEqualTo("alias");
        assertThat(noDataset.get("param").asString()).isEqualTo("dataset");
        for (JsonNode problem : List.of(noReason, noVersion, badAlias, noDataset)) {
            assertThat(problem.get("type").asString()).isEqualTo("https://finetune.dev/problems/validation");
            assertThat(problem.get("field")).isEqualTo(problem.get("param"));
        }
    }

    @Test
    void comparesTagsSearchesDownloadsArchivesAndDeletesOverHttp() throws Exception {
        // compare
        JsonNode compare = json(call("GET", REPO + "/compare?a=1&b=2", null, "read"), 200);
        assertThat(compare.get("differences").toString()).contains("eval_loss").doesNotContain("lora_r");

        // tag and search by tag
        json(call("PUT", REPO + "/versions/2/tags/ticket", "{\"value\":\"ML-7\"}", "submit"), 200);
        JsonNode found = json(call("GET", BASE + "/versions?tag=ticket:ML-7", null, "read"), 200);
        assertThat(found.get("items")).hasSize(1);
        assertThat(found.get("items").get(0).get("tags").get("ticket").asString()).isEqualTo("ML-7");

        // presigned URLs (saved as attachments, not shown), one file, the zip
        JsonNode files = json(call("GET", REPO + "/versions/1/files", null, "read"), 200);
        assertThat(files).hasSize(2);
        HttpResponse<byte[]> presigned = http.send(HttpRequest.newBuilder(URI.create(files.get(1).get("url").asString())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(presigned.statusCode()).isEqualTo(200);
        assertThat(presigned.body().length).isEqualTo(files.get(1).get("size_bytes").asInt());
        assertThat(presigned.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"adapter_model.safetensors\"");
        HttpResponse<byte[]> config = call("GET", REPO + "/versions/1/download?file=adapter_config.json", null, "read");
        assertThat(new String(config.body(), StandardCharsets.UTF_8)).contains("\"peft_type\": \"LORA\"");
        assertThat(config.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(config.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"adapter_config.json\"");
        HttpResponse<byte[]> zip = call("GET", REPO + "/versions/1/download", null, "read");
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zipEntries(zip.body())).containsExactly("adapter_config.json", "adapter_model.safetensors");

        // archive hides from lists
        json(call("POST", REPO + "/versions/2/archive", null, "submit"), 200);
        assertThat(json(call("GET", REPO + "/versions", null, "read"), 200).get("items")).hasSize(1);
        assertThat(json(call("GET", REPO + "/versions?include_archived=true", null, "read"), 200).get("items")).hasSize(2);

        // delete: admin only, refused while aliased, then the files are gone
        json(call("PUT", REPO + "/aliases/production", "{\"version\":1}", "submit"), 200);
        String prefix = registry.version(acme.tenant().id(), acme.segment().name(), 1).artifact().prefix();
        json(call("DELETE", REPO + "/versions/1", null, "submit"), 403);
        JsonNode refused = json(call("DELETE", REPO + "/versions/1", null, "admin"), 409);
        assertThat(refused.get("aliases").toString()).contains("production");
        json(call("DELETE", REPO + "/aliases/production?reason=retire", null, "submit"), 200);
        assertThat(call("DELETE", REPO + "/versions/1", null, "admin").statusCode()).isEqualTo(204);
        assertThat(store.list(prefix)).isEmpty();
        json(call("GET", REPO + "/versions/1", null, "read"), 404);
    }

    @Test
    void answersNotFoundToAnotherTenantOnEveryEndpoint() throws Exception {
        // given acme's production alias, and another tenant with full rights
        registry.promote(acme.tenant().id(), acme.segment().name(), "production",
                dev.finetune.registry.Promotion.of(1), "ft_ci");
        Fixture other = adapters.tenant("other", "other-segment");
        String them = other.tenant().id().toString();
        List<String[]> requests = List.of(
                new String[] {"GET", REPO, null},
                new String[] {"PUT", REPO, "{\"description\":\"mine now\"}"},
                new String[] {"GET", REPO + "/versions", null},
                new String[] {"GET", REPO + "/versions/1", null},
                new String[] {"GET", REPO + "/compare?a=1&b=2", null},
                new String[] {"GET", REPO + "/aliases", null},
                new String[] {"PUT", REPO + "/aliases/production", "{\"version\":2,\"force\":true,\"reason\":\"x\"}"},
                new String[] {"POST", REPO + "/aliases/production/rollback", null},
                new String[] {"DELETE", REPO + "/aliases/production", null},
                new String[] {"GET", REPO + "/audit", null},
                new String[] {"PUT", REPO + "/versions/1/tags/k", "{\"value\":\"v\"}"},
                new String[] {"DELETE", REPO + "/versions/1/tags/k", null},
                new String[] {"POST", REPO + "/versions/1/archive", null},
                new String[] {"POST", REPO + "/versions/1/unarchive", null},
                new String[] {"DELETE", REPO + "/versions/1", null},
                new String[] {"GET", REPO + "/versions/1/files", null},
                new String[] {"GET", REPO + "/versions/1/download", null},
                new String[] {"GET", REPO + "/versions/1/download?file=adapter_config.json", null},
                new String[] {"GET", BASE + "/versions?segment=acme-support", null},
                new String[] {"GET", BASE + "/resolve?ref=acme-support@production", null},
                new String[] {"GET", BASE + "/resolve?ref=acme-support/1", null});

        // when
        List<String> notNotFound = new ArrayList<>();
        for (String[] r : requests) {
            HttpResponse<byte[]> response = call(r[0], r[1], r[2], "admin", them);
            if (response.statusCode() != 404) {
                notNotFound.add(r[0] + " " + r[1] + " -> " + response.statusCode());
            }
        }

        // then nothing leaked, and acme's registry is untouched
        assertThat(notNotFound).isEmpty();
        assertThat(json(call("GET", BASE + "/repositories", null, "admin", them), 200).get("items")).isEmpty();
        assertThat(resolvedVersion()).isEqualTo(1);
        assertThat(registry.version(acme.tenant().id(), acme.segment().name(), 1).archived()).isFalse();
    }

    @Test
    void refusesAReadOnlyKeyToMoveAnAlias() throws Exception {
        // when
        JsonNode problem = json(call("PUT", REPO + "/aliases/production", "{\"version\":1}", "read"), 403);

        // then
        assertThat(problem.get("type").asString()).endsWith("/forbidden-scope");
    }

    @Test
    void refusesANegativeGateThresholdAndControlCharactersBeforeChangingAnything() throws Exception {
        // given
        String repository = new String(call("GET", REPO, null, "read").body(), StandardCharsets.UTF_8);
        String version = new String(call("GET", REPO + "/versions/1", null, "read").body(), StandardCharsets.UTF_8);

        // when
        JsonNode threshold = json(call("PUT", REPO, "{\"gate\": {\"rule\": \"eval_loss_no_worse\", \"max_eval_loss\": -1}}",
                "admin"), 400);
        JsonNode tag = json(call("PUT", REPO + "/versions/1/tags/team", "{\"value\": \"a\\u0000b\"}", "submit"), 400);
        JsonNode reason = json(call("PUT", REPO + "/aliases/production", "{\"version\": 1, \"reason\": \"a\\nb\"}",
                "submit"), 400);
        JsonNode alias = json(call("PUT", REPO + "/aliases/Prod", "{\"version\": 1}", "submit"), 400);

        // then
        assertThat(threshold.get("detail").asString()).contains("gate.max_eval_loss").contains("-1");
        assertThat(tag.get("field").asString()).isEqualTo("value");
        assertThat(reason.get("field").asString()).isEqualTo("reason");
        assertThat(alias.get("field").asString()).isEqualTo("alias");
        assertThat(List.of(threshold, tag, reason, alias)).allSatisfy(p ->
                assertThat(p.get("type").asString()).isEqualTo("https://finetune.dev/problems/validation"));
        assertThat(new String(call("GET", REPO, null, "read").body(), StandardCharsets.UTF_8)).isEqualTo(repository);
        assertThat(new String(call("GET", REPO + "/versions/1", null, "read").body(), StandardCharsets.UTF_8)).isEqualTo(version);
        assertThat(json(call("GET", REPO + "/aliases", null, "read"), 200)).isEmpty();
    }

    private int resolvedVersion() throws Exception {
        String url = BASE + "/resolve?ref=acme-support@production&base_model=" + acme.model().name();
        return json(call("GET", url, null, "read"), 200).get("version").get("number").asInt();
    }

    @Test
    void queuesAnOnDemandTaskEvaluationOfAVersionOnTheTenantsDatasetForAWorker() throws Exception {
        // when
        HttpResponse<byte[]> accepted = call("POST", REPO + "/versions/2/task-evaluations",
                "{\"dataset\":\"" + acme.dataset().id().value() + "\",\"max_examples\":20,\"extractor\":\"####\\\\s*(\\\\d+)\"}",
                "submit");

        // then it waits for a worker, and reads back by id and under the version
        JsonNode queued = json(accepted, 202);
        assertThat(queued.get("status").asString()).isEqualTo("queued");
        assertThat(queued.get("version").asInt()).isEqualTo(2);
        assertThat(queued.get("max_examples").asInt()).isEqualTo(20);
        assertThat(queued.get("max_new_tokens").asInt()).isEqualTo(64);
        assertThat(queued.get("extractor").asString()).isEqualTo("####\\s*(\\d+)");
        assertThat(queued.get("result").isNull()).isTrue();
        String id = queued.get("id").asString();
        assertThat(json(call("GET", BASE + "/task-evaluations/" + id, null, "read"), 200).get("id").asString()).isEqualTo(id);
        assertThat(json(call("GET", REPO + "/versions/2/task-evaluations", null, "read"), 200).get(0).get("id").asString())
                .isEqualTo(id);

        // and bad requests name the field; another tenant sees nothing and cannot use the dataset
        assertThat(json(call("POST", REPO + "/versions/2/task-evaluations", "{\"dataset\":\"" + acme.dataset().id().value()
                + "\",\"extractor\":\"####\"}", "submit"), 400).get("field").asString()).isEqualTo("extractor");
        assertThat(json(call("POST", REPO + "/versions/2/task-evaluations", "{\"dataset\":\"" + acme.dataset().id().value()
                + "\",\"max_examples\":0}", "submit"), 400).get("field").asString()).isEqualTo("max_examples");
        assertThat(json(call("POST", REPO + "/versions/2/task-evaluations", "{\"dataset\":\"" + acme.dataset().id().value()
                + "\",\"extractor\":\"(\\u0000)\"}", "submit"), 400).get("field").asString()).isEqualTo("extractor");
        assertThat(json(call("POST", REPO + "/versions/2/task-evaluations", "{}", "submit"), 400).get("field").asString())
                .isEqualTo("dataset");
        assertThat(call("POST", REPO + "/versions/2/task-evaluations", "{\"dataset\":\"" + acme.dataset().id().value() + "\"}",
                "read").statusCode()).isEqualTo(403);
        Fixture other = adapters.tenant("other", "acme-support");
        json(call("GET", BASE + "/task-evaluations/" + id, null, "read", other.tenant().id().toString()), 404);
        registry.register(adapters.succeeded(other, 0.5));
        json(call("POST", REPO + "/versions/1/task-evaluations", "{\"dataset\":\"" + acme.dataset().id().value() + "\"}",
                "submit", other.tenant().id().toString()), 404);
    }

    @Test
    void servesTheAnswersOfASucceededTaskEvaluationToItsTenantOnly() throws Exception {
        // given an evaluation that is queued: no answers yet
        String id = json(call("POST", REPO + "/versions/2/task-evaluations", "{\"dataset\":\""
                + acme.dataset().id().value() + "\"}", "submit"), 202).get("id").asString();
        JsonNode early = json(call("GET", BASE + "/task-evaluations/" + id + "/examples", null, "read"), 409);
        assertThat(early.get("status").asString()).isEqualTo("queued");

        // when a worker claims it, stores its answers and records its result (as OnDemandTaskEvaluations does)
        TaskEvaluations.Claim claim = evaluations.claimNext("worker-1", Duration.ofMinutes(5)).orElseThrow();
        assertThat(claim.id().toString()).isEqualTo(id);
        String key = "tenants/" + acme.tenant().id().value() + "/task-evaluations/" + id + "/task_eval.jsonl";
        byte[] answers = ("{\"index\":0,\"prompt\":\"2+2?\",\"reference\":\"4\",\"base\":{\"answer\":\"5\"},\"adapter\":{\"answer\":\"4\"}}\n"
                + "{\"index\":1,\"prompt\":\"3+3?\",\"reference\":\"6\",\"base\":{\"answer\":\"\"},\"adapter\":{\"answer\":\"6\"}}\n")
                .getBytes(StandardCharsets.UTF_8);
        store.put(key, new ByteArrayInputStream(answers), answers.length, "application/jsonl");
        FineTuningSucceeded.TaskScores base = new FineTuningSucceeded.TaskScores(0, 0, null, 0);
        FineTuningSucceeded.TaskScores adapter = new FineTuningSucceeded.TaskScores(1, 1, null, 1);
        assertThat(evaluations.succeed(claim.id(), "worker-1", new FineTuningSucceeded.TaskMetrics(2, null, 64, base, adapter), key))
                .isTrue();

        // then its tenant downloads exactly those lines, as JSON Lines
        HttpResponse<byte[]> examples = call("GET", BASE + "/task-evaluations/" + id + "/examples", null, "read");
        assertThat(examples.statusCode()).isEqualTo(200);
        assertThat(examples.headers().firstValue("Content-Type")).hasValue("application/jsonl");
        assertThat(examples.body()).isEqualTo(answers);
        // another tenant cannot tell it exists; a malformed id is a 404 too
        json(call("GET", BASE + "/task-evaluations/" + id + "/examples", null, "read",
                adapters.tenant("other", "acme-support").tenant().id().toString()), 404);
        json(call("GET", BASE + "/task-evaluations/not-an-id/examples", null, "read"), 404);
        // and when the file is gone, the problem says so instead of a 500
        store.delete(key);
        assertThat(json(call("GET", BASE + "/task-evaluations/" + id + "/examples", null, "read"), 404).get("detail").asString())
                .contains("are gone");
    }

    private HttpResponse<byte[]> call(String method, String path, String body, String scopes) throws Exception {
        return call(method, path, body, scopes, acme.tenant().id().toString());
    }

    private HttpResponse<byte[]> call(String method, String path, String body, String scopes, String tenant) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header(RegistryTestApplication.TENANT, tenant).header(RegistryTestApplication.SCOPES, scopes)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> response, int status) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(text).isEqualTo(status);
        return JSON.readTree(text);
    }

    private static List<String> zipEntries(byte[] zip) throws Exception {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
