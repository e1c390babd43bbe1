package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.SharedInfrastructure;
import dev.finetune.localinfra.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection-level failure of the store becomes one typed, transient
 * {@link StorageUnavailableException}; a missing object and a local disk error do not.
 */
@RealInfrastructure
class StorageUnavailableTest {

    @Test
    void translatesARefusedConnectionOnEveryKindOfCall() throws IOException {
        // given a store whose port nobody listens on
        try (ArtifactStore store = new ArtifactStore(propertiesFor("http://127.0.0.1:" + closedPort()))) {
            // when / then
            assertThatThrownBy(store::bucketExists).isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("unreachable").hasMessageContaining("Connection refused");
            assertThatThrownBy(() -> store.get("a")).isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> store.stat("a")).isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> store.list("a/")).isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> store.put("a", new ByteArrayInputStream(new byte[3]), 3, null))
                    .isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> store.deletePrefix("a/")).isInstanceOf(StorageUnavailableException.class);
        }
    }

    @Test
    void translatesAnUnknownHost() {
        try (ArtifactStore store = new ArtifactStore(propertiesFor("http://no-such-host.invalid:9000"))) {
            assertThatThrownBy(() -> store.stat("a")).isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("UnknownHost");
        }
    }

    @Test
    void translatesAConnectionCutBeforeTheAnswer() throws Exception {
        // given a server that accepts each connection and closes it at once
        try (ServerSocket rude = new ServerSocket(0)) {
            Thread closer = new Thread(() -> {
                while (!rude.isClosed()) {
                    try (Socket s = rude.accept()) {
                        s.setSoLinger(true, 0);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            closer.start();
            try (ArtifactStore store = new ArtifactStore(propertiesFor("http://127.0.0.1:" + rude.getLocalPort()))) {
                // when / then
                assertThatThrownBy(() -> store.get("a")).isInstanceOf(StorageUnavailableException.class);
            } finally {
                rude.close();
                closer.join();
            }
        }
    }

    @Test
    void translatesAStoreThatWasKilledAndAnswersAgainOnceRestarted(@TempDir Path dir) throws IOException {
        // given a working store holding an object
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(dir.resolve("objects"), 0,
                SharedInfrastructure.ACCESS_KEY, SharedInfrastructure.SECRET_KEY));
                ArtifactStore store = new ArtifactStore(new StorageProperties(s3.endpoint(), "us-east-1", "killed",
                        SharedInfrastructure.ACCESS_KEY, SharedInfrastructure.SECRET_KEY, true, null))) {
            store.put("kept", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, null);

            // when it dies
            s3.kill();

            // then calls fail as unavailable, not as a generic failure
            assertThatThrownBy(() -> store.get("kept")).isInstanceOf(StorageUnavailableException.class);

            // and when it is back on the same port and directory, the same client reads the object
            s3.restart();
            assertThat(store.stat("kept")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(3));
        }
    }

    @Test
    void keepsAMissingObjectAndALocalDiskErrorApart(@TempDir Path dir) throws IOException {
        try (ArtifactStore store = new ArtifactStore(SharedInfrastructure.storage("unavailable-apart"))) {
            assertThatThrownBy(() -> store.get("missing")).isInstanceOf(ArtifactNotFoundException.class);
            store.put("there", new ByteArrayInputStream(new byte[] {1}), 1, null);
            Path aFile = Files.writeString(dir.resolve("file"), "x");
            assertThatThrownBy(() -> store.getToFile("there", aFile.resolve("below-a-file")))
                    .isInstanceOf(ArtifactStoreException.class).isNotInstanceOf(StorageUnavailableException.class);
        }
    }

    private static StorageProperties propertiesFor(String endpoint) {
        return new StorageProperties(endpoint, "us-east-1", "unavailable", "ak", "sk-secret", false, null);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
