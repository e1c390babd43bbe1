package dev.finetune.api.basemodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.finetune.api.support.Api.FilePart;
import dev.finetune.api.support.Api.Response;
import dev.finetune.api.support.ApiTestBase;
import dev.finetune.core.storage.ArtifactStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class BaseModelRegistrationTest extends ApiTestBase {

    @Autowired
    ArtifactStore store;

    TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant("models");
    }

    @Test
    void registersAnUploadedCheckpointWithItsConfigSummary() {
        // when
        Response r = api.postMultipart("/api/v1/base-models", tenant.adminKey(), Map.of("name", "tiny"), demoModelFiles());

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.text("scope")).isEqualTo("tenant");
        assertThat(r.json().path("config").path("model_type").asString()).isEqualTo("llama");
        assertThat(r.json().path("config").path("hidden_size").asInt()).isEqualTo(128);
        assertThat(r.json().path("config").path("num_hidden_layers").asInt()).isEqualTo(2);
        assertThat(r.json().path("config").path("vocab_size").asInt()).isEqualTo(2048);
        List<String> listed = api.get("/api/v1/base-models", tenant.adminKey()).json().path("data").findValuesAsString("name");
        assertThat(listed).contains("tiny", "tinystories-656k".equals(listed.get(0)) ? "tinystories-656k" : "tiny");
    }

    @Test
    void namesTheMissingFile() {
        // given: everything but tokenizer.json
        List<FilePart> files = demoModelFiles().stream().filter(f -> !f.fileName().equals("tokenizer.json")).toList();

        // when
        Response r = api.postMultipart("/api/v1/base-models", tenant.adminKey(), Map.of("name", "broken"), files);

        // then
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("type")).isEqualTo("https://finetune.dev/problems/invalid-base-model");
        assertThat(r.text("file")).isEqualTo("tokenizer.json");
        assertThat(store.list("tenants/" + tenant.id() + "/base-models/")).isEmpty();
    }

    @Test
    void refusesAnUnsupportedArchitecture() {
        // given
        List<FilePart> files = demoModelFiles().stream()
                .map(f -> f.fileName().equals("config.json")
                        ? new FilePart("files", "config.json", "{\"model_type\": \"gpt2\"}".getBytes(StandardCharsets.UTF_8))
                        : f)
                .toList();

        // when
        Response r = api.postMultipart("/api/v1/base-models", tenant.adminKey(), Map.of("name", "gpt"), files);

        // then
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.text("detail")).contains("gpt2", "llama", "mistral", "qwen2");
    }

    @Test
    void registersFilesAlreadyUnderTheTenantsPrefixAndRefusesOtherPrefixes() {
        // given
        String prefix = "tenants/" + tenant.id() + "/imported/tiny/";
        for (FilePart f : demoModelFiles()) {
            store.put(prefix + f.fileName(), new ByteArrayInputStream(f.bytes()), f.bytes().length, null);
        }

        // when
        Response r = api.postJson("/api/v1/base-models", tenant.adminKey(), Map.of("name", "imported", "object_prefix", prefix));
        Response elsewhere = api.postJson("/api/v1/base-models", tenant.adminKey(),
                Map.of("name", "stolen", "object_prefix", "tenants/00000000-0000-0000-0000-000000000000/x/"));

        // then
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.text("object_prefix")).isEqualTo(prefix);
        assertThat(elsewhere.status()).isEqualTo(400);
        assertThat(elsewhere.text("param")).isEqualTo("object_prefix");
    }
}
