package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.job.JobId;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RealInfrastructure
class ArtifactStoreTest {

    static ArtifactStore store;
    final TenantId tenant = TenantId.random();

    @BeforeAll
    static void connect() {
        store = new ArtifactStore(SharedInfrastructure.storage("artifact-store-test"));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void putsGetsAndStatsAnObject() throws IOException {
        // given
        String key = ObjectKeys.dataset(tenant, DatasetId.random(), "train.jsonl");
        byte[] body = "{\"messages\":[]}\n".getBytes(StandardCharsets.UTF_8);

        // when
        store.put(key, new ByteArrayInputStream(body), body.length, "application/jsonl");

        // then
        try (InputStream in = store.get(key)) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
        ObjectInfo info = store.stat(key).orElseThrow();
        assertThat(info.size()).isEqualTo(body.length);
        assertThat(info.contentType()).isEqualTo("application/jsonl");
        assertThat(info.lastModified()).isNotNull();
    }

    @Test
    void statOfAMissingKeyIsEmptyAndGetThrowsNotFound() {
        assertThat(store.stat("tenants/nobody/none")).isEmpty();
        assertThatThrownBy(() -> store.get("tenants/nobody/none").close()).isInstanceOf(ArtifactNotFoundException.class);
    }

    @Test
    void listsObjectsUnderAPrefixOnly() {
        // given
        JobId job = JobId.random();
        for (int step : new int[] {10, 20}) {
            putText(ObjectKeys.checkpointFile(tenant, job, step, "adapter.safetensors"), "w" + step);
            putText(ObjectKeys.checkpointFile(tenant, job, step, "state.json"), "{}");
        }
        putText(ObjectKeys.adapterFile(tenant, job, "adapter.safetensors"), "final");

        // when
        var listed = store.list(ObjectKeys.jobPrefix(tenant, job) + "checkpoints/");

        // then
        assertThat(listed).extracting(ObjectInfo::key).containsExactly(
                ObjectKeys.checkpointFile(tenant, job, 10, "adapter.safetensors"),
                ObjectKeys.checkpointFile(tenant, job, 10, "state.json"),
                ObjectKeys.checkpointFile(tenant, job, 20, "adapter.safetensors"),
                ObjectKeys.checkpointFile(tenant, job, 20, "state.json"));
    }

    @Test
    void deletesOneObjectAndAWholePrefix() {
        // given
        JobId job = JobId.random();
        String single = ObjectKeys.adapterFile(tenant, job, "adapter.safetensors");
        putText(single, "x");
        for (int i = 0; i < 5; i++) {
            putText(ObjectKeys.checkpointFile(tenant, job, i, "f.bin"), "x");
        }

        // when
        store.delete(single);
        int removed = store.deletePrefix(ObjectKeys.jobPrefix(tenant, job));

        // then
        assertThat(store.stat(single)).isEmpty();
        assertThat(removed).isEqualTo(5);
        assertThat(store.list(ObjectKeys.jobPrefix(tenant, job))).isEmpty();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void presignedGetUrlServesTheObjectWithoutCredentials() throws Exception {
        // given
        String key = ObjectKeys.adapterFile(tenant, JobId.random(), "adapter_config.json");
        putText(key, "{\"r\":8}");

        // when
        String url = store.presignedGet(key, Duration.ofMinutes(5));
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unsigned = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url.substring(0, url.indexOf('?')))).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"r\":8}");
        assertThat(unsigned.statusCode()).isEqualTo(403);
    }

    @Test
    void presignedDownloadUrlAnswersAsAnAttachment() throws Exception {
        // given
        String key = ObjectKeys.adapterFile(tenant, JobId.random(), "adapter_config.json");
        putText(key, "{\"r\":8}");

        // when
        HttpResponse<String> response = get(store.presignedDownload(key, "adapter_config.json", Duration.ofMinutes(5)));

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"adapter_config.json\"");
        assertThat(response.body()).isEqualTo("{\"r\":8}");
    }

    @Test
    void signsForThePublicEndpointAndTheUrlDownloadsFromThere() throws Exception {
        // given the same server under another host name, as a client elsewhere would reach it
        String publicEndpoint = SharedInfrastructure.s3ByAnotherName();
        String key = ObjectKeys.adapterFile(tenant, JobId.random(), "adapter_model.safetensors");
        byte[] body = new byte[70_000];
        new Random(3).nextBytes(body);
        store.put(key, new ByteArrayInputStream(body), body.length, "application/octet-stream");

        try (ArtifactStore publicStore = new ArtifactStore(SharedInfrastructure.storage("artifact-store-test", publicEndpoint))) {
            // when
            URI url = URI.create(publicStore.presignedDownload(key, "adapter_model.safetensors", Duration.ofMinutes(5)));
            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<String> internalHost = get(url.toString().replace("localhost", "127.0.0.1"));

            // then the URL names the public host, still downloads, and was signed for that host only
            assertThat(url.getHost()).isEqualTo("localhost");
            assertThat(url.getPort()).isEqualTo(URI.create(SharedInfrastructure.s3().endpoint()).getPort());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(body);
            assertThat(response.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"adapter_model.safetensors\"");
            assertThat(internalHost.statusCode()).isEqualTo(403);
            // and the store's own operations still go to the internal endpoint
            assertThat(publicStore.stat(key)).isPresent();
        }
    }

    @Test
    void presignsForAPublicEndpointWithoutContactingIt() {
        // given a host that does not even resolve: presigning must be a local computation
        try (ArtifactStore publicStore = new ArtifactStore(
                SharedInfrastructure.storage("artifact-store-test", "https://files.example.invalid"))) {
            // when
            URI url = URI.create(publicStore.presignedDownload("tenants/t/adapters/j/a b.json", "a b.json", Duration.ofMinutes(1)));

            // then
            assertThat(url.getScheme()).isEqualTo("https");
            assertThat(url.getHost()).isEqualTo("files.example.invalid");
            assertThat(url.getRawQuery()).contains("X-Amz-Signature=").contains("response-content-disposition=");
        }
    }

    @Test
    void uploads20MbOfUnknownLengthAsMultipart(@TempDir Path tmp) throws Exception {
        // given a stream whose length the store is not told
        byte[] body = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(body);
        String key = ObjectKeys.checkpointFile(tenant, JobId.random(), 100, "model.bin");

        // when
        long t0 = System.nanoTime();
        store.put(key, new ByteArrayInputStream(body), -1, null);
        long putMs = (System.nanoTime() - t0) / 1_000_000;
        Path file = tmp.resolve("down/model.bin");
        store.getToFile(key, file);

        // then
        ObjectInfo info = store.stat(key).orElseThrow();
        assertThat(info.size()).isEqualTo(body.length);
        assertThat(info.etag()).as("multipart ETags end in -<parts>").matches(".*-3\"?");
        assertThat(DigestUtils.sha256Hex(Files.readAllBytes(file))).isEqualTo(DigestUtils.sha256Hex(body));
        System.out.println("[s3] 20 MB unknown-size upload took " + putMs + " ms");
    }

    @Test
    void putFileUploadsFromDisk(@TempDir Path tmp) throws IOException {
        // given
        Path file = tmp.resolve("adapter.safetensors");
        Files.writeString(file, "weights");
        String key = ObjectKeys.adapterFile(tenant, JobId.random(), "adapter.safetensors");

        // when
        store.putFile(key, file);

        // then
        try (InputStream in = store.get(key)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("weights");
        }
    }

    private static void putText(String key, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        store.put(key, new ByteArrayInputStream(bytes), bytes.length, "text/plain");
    }

}
