package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import java.util.UUID;

import dev.finetune.localinfra.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3ProxyServerTest {

    @Test
    void keepsObjectsOnDiskAcrossRestartsAndStopsItsProcess(@TempDir Path dir) throws Exception {
        // given a filesystem-backed server that stored an object and stopped
        byte[] body = "adapter".getBytes(StandardCharsets.UTF_8);
        URI endpoint;
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(dir, 0, "ak", "sk-secret"));
                ArtifactStore store = new ArtifactStore(props(s3))) {
            store.put("tenants/t/adapters/j/a.bin", new ByteArrayInputStream(body), body.length, null);
            endpoint = URI.create(s3.endpoint());
        }

        // when a new server starts on the same directory
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(dir, 0, "ak", "sk-secret"));
                ArtifactStore store = new ArtifactStore(props(s3));
                InputStream in = store.get("tenants/t/adapters/j/a.bin")) {

            // then
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
        assertThatThrownBy(() -> new Socket(endpoint.getHost(), endpoint.getPort()).close())
                .isInstanceOf(ConnectException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"target/s3proxy-relative/objects", "target/.s3proxy-hidden/objects"})
    void listsObjectsStoredUnderARelativeOrHiddenDirectory(String directory) throws Exception {
        // given a server whose base directory is relative to the working directory, as the local
        // platform's default home ./.finetune is
        Path base = Path.of(directory, UUID.randomUUID().toString());
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(base, 0, "ak", "sk-secret"));
                ArtifactStore store = new ArtifactStore(props(s3))) {
            store.put("base-models/m/config.json", new ByteArrayInputStream(new byte[] {'{', '}'}), 2, null);
            store.put("base-models/m/model.safetensors", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, null);

            // when the prefix is listed
            var listed = store.list("base-models/m/");

            // then both objects are there, and they live under the directory that was asked for
            assertThat(listed).extracting(ObjectInfo::key)
                    .containsExactlyInAnyOrder("base-models/m/config.json", "base-models/m/model.safetensors");
            assertThat(base.resolve("local-platform/base-models/m/config.json")).exists();
        }
    }

    @Test
    void failsFastWhenTheJarIsMissing(@TempDir Path dir) {
        var options = new S3ProxyServer.Options(dir.resolve("missing.jar"), 0, null, "ak", "sk", null);
        assertThatThrownBy(() -> S3ProxyServer.start(options)).hasMessageContaining("S3Proxy");
    }

    private static StorageProperties props(S3ProxyServer s3) {
        return new StorageProperties(s3.endpoint(), "us-east-1", "local-platform", "ak", "sk-secret", true, null);
    }
}
