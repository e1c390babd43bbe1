package dev.finetune.core.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.finetune.core.job.JobId;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RealInfrastructure
class DownloadLinksTest {

    static ArtifactStore store;
    static final String KEY = ObjectKeys.adapterFile(TenantId.random(), JobId.random(), "adapter_config.json");

    @BeforeAll
    static void connect() {
        store = new ArtifactStore(SharedInfrastructure.storage("download-links-test"));
        byte[] body = "{\"r\":8}".getBytes(StandardCharsets.UTF_8);
        store.put(KEY, new ByteArrayInputStream(body), body.length, "application/json");
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void presignedModeLinksToTheStoreAsAnAttachmentAndNeverBuildsTheApiUrl() throws Exception {
        // given
        DownloadLinks links = new DownloadLinks(store, new DownloadProperties(DownloadMode.PRESIGNED));
        AtomicInteger apiUrls = new AtomicInteger();

        // when
        String url = links.link(KEY, "adapter_config.json", Duration.ofMinutes(1), () -> "x" + apiUrls.incrementAndGet());
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(apiUrls).hasValue(0);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"adapter_config.json\"");
        assertThat(response.body()).isEqualTo("{\"r\":8}");
    }

    @Test
    void proxiedModeLinksToTheApi() {
        DownloadLinks links = new DownloadLinks(store, new DownloadProperties(DownloadMode.PROXIED));

        assertThat(links.link(KEY, "adapter_config.json", Duration.ofMinutes(1), () -> "http://api/download?file=a"))
                .isEqualTo("http://api/download?file=a");
    }
}
