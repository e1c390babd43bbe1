package dev.finetune.api.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.finetune.api.support.Api;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The served OpenAPI document is the committed {@code platform-api/openapi/openapi.json}, from which the
 * {@code tests} module generates (and so validates) a Java client, and it holds what a generated client
 * needs: snake_case fields only, readable operation ids, tags and summaries, real statuses and content
 * types, a documented body on every 4xx and 5xx.
 */
class OpenApiDocumentTest extends ApiTestBase {

    static final Path COMMITTED = Path.of("openapi/openapi.json");

    private JsonNode served() {
        Api.Response r = api.get("/v3/api-docs", null);
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    @Test
    void theServedDocumentIsTheCommittedOne() throws IOException {
        String pretty = Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(served()) + "\n";
        Path written = Path.of("target/openapi.json");
        Files.createDirectories(written.getParent());
        Files.writeString(written, pretty, StandardCharsets.UTF_8);
        assertThat(Files.exists(COMMITTED)).as("%s is missing: copy %s there", COMMITTED, written).isTrue();
        assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
                .as("the served document changed: review and copy %s to %s", written.toAbsolutePath(), COMMITTED)
                .isEqualTo(pretty);
    }

    @Test
    void hyperparametersListOnlyTheSnakeCaseFieldsTheServerReads() {
        JsonNode properties = served().path("components").path("schemas").path("Hyperparameters").path("properties");
        List<String> names = new ArrayList<>(properties.propertyNames());
        assertThat(names).hasSize(22).allMatch(n -> n.matches("[a-z0-9_]+"), "snake_case")
                .contains("n_epochs", "max_steps", "lora_r", "use_dora", "adapter_kind");
    }

    @Test
    void everyBodyFieldIsDocumentedAsTheServerSpellsIt() {
        for (Map.Entry<String, JsonNode> schema : served().path("components").path("schemas").properties()) {
            if (schema.getKey().equals("Problem")) {
                continue; // RFC 9457 extension members (correlationId, validRows) are the native problems' own
            }
            assertThat(schema.getValue().path("properties").propertyNames()).as(schema.getKey())
                    .allMatch(n -> n.matches("[a-z0-9_]+"), "snake_case");
        }
        JsonNode targets = served().path("components").path("schemas").path("TargetModules");
        assertThat(targets.path("oneOf").size()).isEqualTo(2);
    }

    @Test
    void everyOperationIsNamedTaggedSummarisedAndDocumentsItsErrors() {
        JsonNode doc = served();
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String where = op.getKey() + " " + path.getKey();
                JsonNode o = op.getValue();
                String id = o.path("operationId").asString();
                assertThat(id).as(where).matches("[a-z][A-Za-z]+");
                assertThat(ids.add(id)).as("duplicate operationId %s", id).isTrue();
                assertThat(o.path("summary").asString()).as(where).isNotBlank();
                assertThat(o.path("tags").size()).as(where).isEqualTo(1);
                assertThat(o.path("tags").get(0).asString()).as(where).doesNotEndWith("-controller");
                JsonNode responses = o.path("responses");
                String errorType = path.getKey().startsWith("/v1/") ? "application/json" : "application/problem+json";
                String schema = path.getKey().startsWith("/v1/") ? "OpenAiErrorResponse" : "Problem";
                for (String range : List.of("4XX", "5XX")) {
                    assertThat(responses.path(range).path("content").path(errorType).path("schema").path("$ref").asString())
                            .as(where).isEqualTo("#/components/schemas/" + schema);
                }
                assertThat(o.toString()).as(where).doesNotContain("\"*/*\"");
            }
        }
        assertThat(ids).contains("createJob", "getJob", "listJobs", "cancelJob", "listJobEvents", "uploadDataset",
                "openaiCreateFile", "openaiCreateFineTuningJob");
    }

    @Test
    void statusesContentTypesAndTheDatasetUploadAreReal() {
        JsonNode paths = served().path("paths");
        JsonNode upload = paths.path("/api/v1/datasets").path("post");
        assertThat(upload.path("requestBody").path("content").propertyNames()).contains("application/jsonl",
                "application/x-ndjson", "application/json", "text/plain", "multipart/form-data");
        assertThat(upload.path("responses").has("201")).isTrue();
        assertThat(upload.path("responses").has("200")).isFalse();
        JsonNode create = paths.path("/api/v1/fine-tuning/jobs").path("post").path("responses");
        assertThat(create.has("201")).isTrue();
        assertThat(create.has("200")).isTrue();
        assertThat(paths.path("/api/v1/datasets/{datasetId}").path("delete").path("responses").has("204")).isTrue();
        assertThat(paths.path("/api/v1/tenants").path("post").path("responses").has("201")).isTrue();
        JsonNode status = served().path("components").path("schemas").path("JobView").path("properties").path("status");
        assertThat(status.path("enum").toString()).contains("cancelling", "succeeded");
        JsonNode problem = served().path("components").path("schemas").path("Problem");
        assertThat(problem.path("properties").path("type").path("enum").toString())
                .contains("https://finetune.dev/problems/invalid-hyperparameter");
    }
}
