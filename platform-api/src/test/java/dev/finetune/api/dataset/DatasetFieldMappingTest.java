package dev.finetune.api.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.finetune.api.support.Api.FilePart;
import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A dataset whose records use other key names (GSM8K's question/answer): the mapping is checked,
 * validated with the file, stored, listed and applied by the preview, which reads as the worker does.
 */
class DatasetFieldMappingTest extends ApiTestBase {

    private static final String GSM8K_MAPPING = "{\"prompt\": \"question\", \"completion\": \"answer\"}";

    TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant("mapping");
    }

    @Test
    void aMappedGsm8kUploadIsStoredWithItsMappingAndPreviewedAsCompletionRecords() throws IOException {
        // when
        Response r = api.postMultipart("/api/v1/datasets", tenant.adminKey(), Map.of("field_mapping", GSM8K_MAPPING),
                List.of(new FilePart("file", "gsm8k.jsonl", gsm8k())));

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("format").asString()).isEqualTo("completion");
        assertThat(r.json().path("rows").asInt()).isEqualTo(400);
        assertThat(r.json().path("field_mapping").path("prompt").asString()).isEqualTo("question");
        assertThat(r.json().path("field_mapping").path("completion").asString()).isEqualTo("answer");

        Response preview = api.get("/api/v1/datasets/" + r.text("id") + "/preview?limit=2", tenant.adminKey());
        assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
        JsonNode records = preview.json().path("records");
        assertThat(records).hasSize(2);
        assertThat(records.get(0).path("line").asInt()).isEqualTo(1);
        assertThat(records.get(0).path("turns").get(0).path("role").asString()).isEqualTo("user");
        assertThat(records.get(0).path("turns").get(0).path("content").asString()).startsWith("Natalia sold clips");
        assertThat(records.get(0).path("turns").get(1).path("role").asString()).isEqualTo("assistant");
        assertThat(preview.json().path("unfinished_jobs").asInt()).isZero();
        assertThat(preview.json().path("dataset").path("rows").asInt()).isEqualTo(400);
    }

    @Test
    void withoutAMappingGsm8kIsRefusedNamingTheMissingKeys() throws IOException {
        Response r = api.postMultipart("/api/v1/datasets", tenant.adminKey(), Map.of("format", "completion"),
                List.of(new FilePart("file", "gsm8k.jsonl", gsm8k())));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("detail")).contains("missing required key 'prompt'");
    }

    @Test
    void refusesABadMappingNamingTheEntryAndStoresNothing() throws IOException {
        Response unknown = api.postMultipart("/api/v1/datasets", tenant.adminKey(),
                Map.of("field_mapping", "{\"question\": \"prompt\"}"), List.of(new FilePart("file", "gsm8k.jsonl", gsm8k())));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.text("param")).isEqualTo("field_mapping.question");

        Response notJson = api.postMultipart("/api/v1/datasets", tenant.adminKey(),
                Map.of("field_mapping", "prompt=question"), List.of(new FilePart("file", "gsm8k.jsonl", gsm8k())));
        assertThat(notJson.status()).as(notJson.toString()).isEqualTo(400);
        assertThat(notJson.text("param")).isEqualTo("field_mapping");

        Response text = api.postMultipart("/api/v1/datasets", tenant.adminKey(),
                Map.of("field_mapping", "{\"text\": \"body\"}"), List.of(new FilePart("file", "notes.txt", "hello".getBytes())));
        assertThat(text.status()).as(text.toString()).isEqualTo(400);
        assertThat(text.text("param")).isEqualTo("field_mapping");

        assertThat(api.get("/api/v1/datasets", tenant.adminKey()).json().path("data")).isEmpty();
    }

    private static byte[] gsm8k() throws IOException {
        return Files.readAllBytes(sample("gsm8k_train_400.jsonl"));
    }
}
