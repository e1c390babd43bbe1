package dev.finetune.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import dev.finetune.core.testing.TestData.Fixture;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.registry.Adapters;
import dev.finetune.registry.RegistryTestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default {@code presigned} mode with {@code finetune.storage.public-endpoint} set: the same
 * S3 server under another name ({@code localhost} where the API uses {@code 127.0.0.1}), as a
 * client outside the cluster would reach it.
 */
@SpringBootTest(classes = RegistryTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class RegistryPresignedDownloadsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void publicEndpoint(DynamicPropertyRegistry properties) {
        properties.add("finetune.storage.public-endpoint", SharedInfrastructure::s3ByAnotherName);
    }

    @LocalServerPort
    int port;
    @Autowired
    AdapterRegistry registry;
    @Autowired
    Adapters adapters;
    @Autowired
    ArtifactStore store;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void signsEachFilesUrlForThePublicHostAndItDownloadsAsAnAttachment() throws Exception {
        // given
        Fixture acme = adapters.tenant("acme", "acme-support");
        registry.register(adapters.succeeded(acme, 0.50));
        String prefix = registry.version(acme.tenant().id(), acme.segment().name(), 1).artifact().prefix();

        // when
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/registry/repositories/acme-support/versions/1/files"))
                .header(RegistryTestApplication.TENANT, acme.tenant().id().toString())
                .header(RegistryTestApplication.SCOPES, "read").build(), HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        JsonNode files = JSON.readTree(list.body());
        assertThat(files).hasSize(2);
        URI storeEndpoint = URI.create(SharedInfrastructure.s3().endpoint());
        for (JsonNode file : files) {
            URI url = URI.create(file.get("url").asString());
            String path = file.get("path").asString();
            assertThat(url.getHost()).as(path).isEqualTo("localhost");
            assertThat(url.getPort()).as(path).isEqualTo(storeEndpoint.getPort());
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).as(path).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Disposition")).as(path)
                    .hasValue("attachment; filename=\"" + path + "\"");
            try (InputStream in = store.get(prefix + path)) {
                assertThat(download.body()).as(path).isEqualTo(in.readAllBytes());
            }
        }
        assertThat(files.get(0).get("url").asString()).contains("X-Amz-Signature=");
    }
}
