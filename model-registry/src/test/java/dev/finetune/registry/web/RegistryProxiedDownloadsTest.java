package dev.finetune.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.Adapters;
import dev.finetune.registry.RegistryTestApplication;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code finetune.downloads.mode=proxied}, as the local platform runs: the files' URLs point at the
 * API, which streams each file from the store with the caller's tenant checked.
 */
@SpringBootTest(classes = RegistryTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "finetune.downloads.mode=proxied")
@RealInfrastructure
class RegistryProxiedDownloadsTest {

    static final String VERSION = "/api/v1/registry/repositories/acme-support/versions/1";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    AdapterRegistry registry;
    @Autowired
    Adapters adapters;
    @Autowired
    ArtifactStore store;

    final HttpClient http = HttpClient.newHttpClient();
    Fixture acme;
    String prefix;
    byte[] big;

    @BeforeEach
    void aVersionWithAConfigWeightsAndALargeFileInASubdirectory() {
        acme = adapters.tenant("acme", "acme-support");
        registry.register(adapters.succeeded(acme, 0.50));
        prefix = registry.version(acme.tenant().id(), acme.segment().name(), 1).artifact().prefix();
        big = new byte[6 * 1024 * 1024 + 17];
        new Random(11).nextBytes(big);
        store.put(prefix + "extra/optimizer.bin", new ByteArrayInputStream(big), big.length, "application/octet-stream");
    }

    @Test
    void listsUrlsOfTheApiOnTheHostTheCallerUsed() throws Exception {
        // when
        JsonNode files = json(get("http://localhost:" + port + VERSION + "/files", acme), 200);
        JsonNode byIp = json(get("http://127.0.0.1:" + port + VERSION + "/files", acme), 200);

        // then the shape is unchanged (path, size_bytes, url) and each url streams through the API
        assertThat(files).hasSize(3);
        assertThat(files.get(0).get("path").asString()).isEqualTo("adapter_config.json");
        assertThat(files.get(0).get("url").asString())
                .isEqualTo("http://localhost:" + port + VERSION + "/download?file=adapter_config.json");
        assertThat(files.get(2).get("url").asString())
                .isEqualTo("http://localhost:" + port + VERSION + "/download?file=extra%2Foptimizer.bin");
        assertThat(byIp.get(0).get("url").asString()).startsWith("http://127.0.0.1:" + port + "/");
    }

    @Test
    void streamsEachListedFileAsAnAttachmentWithItsTypeAndLength() throws Exception {
        // given
        JsonNode files = json(get("http://localhost:" + port + VERSION + "/files", acme), 200);

        for (JsonNode file : files) {
            // when
            HttpResponse<byte[]> response = get(file.get("url").asString(), acme);

            // then
            String path = file.get("path").asString();
            String name = path.substring(path.lastIndexOf('/') + 1);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Disposition")).as(path).hasValue("attachment; filename=\"" + name + "\"");
            assertThat(response.headers().firstValueAsLong("Content-Length")).as(path).hasValue(file.get("size_bytes").asLong());
            assertThat(response.headers().firstValue("Content-Type")).as(path)
                    .hasValue(path.endsWith(".json") ? "application/json" : "application/octet-stream");
            assertThat(response.body()).as(path).isEqualTo(stored(path));
        }
        assertThat(stored("extra/optimizer.bin")).isEqualTo(big);
    }

    @Test
    void answersNotFoundToAnotherTenantForTheListAndEveryFile() throws Exception {
        // given
        Fixture other = adapters.tenant("other", "other-segment");

        // when
        HttpResponse<byte[]> list = get("http://localhost:" + port + VERSION + "/files", other);
        HttpResponse<byte[]> file = get("http://localhost:" + port + VERSION + "/download?file=adapter_config.json", other);

        // then
        assertThat(json(list, 404).get("type").asString()).isEqualTo("https://finetune.dev/problems/not-found");
        JsonNode problem = json(file, 404);
        assertThat(problem.get("type").asString()).isEqualTo("https://finetune.dev/problems/not-found");
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).doesNotContain("peft_type");
        assertThat(file.headers().firstValue("Content-Disposition")).isEmpty();
    }

    @Test
    void namesAnUnknownFileAndRefusesAPathOutsideTheAdapter() throws Exception {
        // when
        HttpResponse<byte[]> unknown = get("http://localhost:" + port + VERSION + "/download?file=missing.json", acme);
        HttpResponse<byte[]> climbing = get("http://localhost:" + port + VERSION + "/download?file=..%2F..%2Fsecrets", acme);
        HttpResponse<byte[]> blank = get("http://localhost:" + port + VERSION + "/download?file=", acme);
        HttpResponse<byte[]> absolute = get("http://localhost:" + port + VERSION + "/download?file=%2Fetc%2Fpasswd", acme);

        // then: named RFC 9457 problems, never a 500 and never a half-written download
        JsonNode notFound = json(unknown, 404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(notFound.get("type").asString()).isEqualTo("https://finetune.dev/problems/not-found");
        assertThat(notFound.get("resource").asString()).isEqualTo("file");
        assertThat(notFound.get("file").asString()).isEqualTo("missing.json");
        for (HttpResponse<byte[]> bad : java.util.List.of(climbing, blank, absolute)) {
            JsonNode problem = json(bad, 400);
            assertThat(problem.get("type").asString()).isEqualTo("https://finetune.dev/problems/validation");
            assertThat(problem.get("field").asString()).isEqualTo("file");
            assertThat(bad.headers().firstValue("Content-Disposition")).isEmpty();
        }
    }

    private byte[] stored(String path) throws Exception {
        try (InputStream in = store.get(prefix + path)) {
            return in.readAllBytes();
        }
    }

    private HttpResponse<byte[]> get(String url, Fixture caller) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .header(RegistryTestApplication.TENANT, caller.tenant().id().toString())
                .header(RegistryTestApplication.SCOPES, "read").build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> response, int status) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(text).isEqualTo(status);
        return JSON.readTree(text);
    }
}
