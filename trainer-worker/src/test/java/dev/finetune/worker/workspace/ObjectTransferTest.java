package dev.finetune.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.StorageProperties;
import dev.finetune.core.storage.StorageUnavailableException;
import dev.finetune.localinfra.S3ProxyServer;
import dev.finetune.worker.StorageRetryProperties;
import dev.finetune.worker.WorkerProperties;
import dev.finetune.worker.batch.Failures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries of object-storage errors: other store errors against a store whose calls fail on purpose,
 * an outage against a real S3 server that is killed and brought back.
 */
class ObjectTransferTest {

    static final WorkerProperties PROPERTIES = new WorkerProperties(true, "", "cpu", 20,
            java.time.Duration.ofMinutes(5), 0.1, null, java.time.Duration.ofMinutes(5), 3);
    static final StorageRetryProperties OUTAGES = new StorageRetryProperties(Duration.ofMillis(100),
            Duration.ofMillis(400), Duration.ofMinutes(2));

    /** Fails the first {@code failures} downloads with {@code error}. */
    static final class FlakyStore extends ArtifactStore {
        final AtomicInteger calls = new AtomicInteger();
        final int failures;
        final RuntimeException error;

        FlakyStore(int failures, RuntimeException error) {
            // never contacted: no bucket is created and every call below is overridden
            super(new StorageProperties("http://127.0.0.1:9", "us-east-1", "unused", "a", "b", false, null));
            this.failures = failures;
            this.error = error;
        }

        @Override
        public void getToFile(String key, Path target) {
            if (calls.incrementAndGet() <= failures) {
                throw error;
            }
        }
    }

    @Test
    void retriesATransientFailureAndSucceeds() {
        try (FlakyStore store = new FlakyStore(2, new ArtifactStoreException("get x failed: connection reset", null))) {
            new ObjectTransfer(store, PROPERTIES, OUTAGES).download("x", Path.of("unused"));
            assertThat(store.calls).hasValue(3);
        }
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() {
        try (FlakyStore store = new FlakyStore(10, new ArtifactStoreException("get x failed: 503", null))) {
            assertThatThrownBy(() -> new ObjectTransfer(store, PROPERTIES, OUTAGES).download("x", Path.of("unused")))
                    .isInstanceOf(ArtifactStoreException.class).hasMessageContaining("503");
            assertThat(store.calls).hasValue(3);
        }
    }

    @Test
    void backsOffExponentiallyUpToTheMaximumDelay() {
        // given
        var retry = new StorageRetryProperties(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMinutes(1));

        // when / then
        assertThat(java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(retry::delayBefore).map(Duration::toMillis))
                .containsExactly(500L, 1000L, 2000L, 3000L, 3000L, 3000L);
    }

    @Test
    void pausesWhileTheStoreIsDownAndGoesOnWhenItIsBack(@TempDir Path dir) throws Exception {
        // given a real S3 server holding an object, killed before the download
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Options.onDisk(dir.resolve("objects"), 0, "ak", "sk-0123456789"));
                ArtifactStore store = new ArtifactStore(new StorageProperties(s3.endpoint(), "us-east-1", "outage",
                        "ak", "sk-0123456789", true, null))) {
            store.put("x", new ByteArrayInputStream(new byte[] {7, 8, 9}), 3, null);
            s3.kill();
            Path target = dir.resolve("x");

            // when the download starts while it is down, and the server comes back a moment later
            CompletableFuture<Void> download = CompletableFuture.runAsync(
                    () -> new ObjectTransfer(store, PROPERTIES, OUTAGES).download("x", target));
            Thread.sleep(1500);
            assertThat(download).as("still waiting for the store").isNotDone();
            s3.restart();

            // then the download completes instead of failing
            download.get(60, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(target)).containsExactly(7, 8, 9);
        }
    }

    @Test
    void failsAsStorageUnavailableOnlyAfterTheGiveUpWindow(@TempDir Path dir) throws Exception {
        // given a store nobody answers for, and a 1 s window
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var window = new StorageRetryProperties(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1));
        try (ArtifactStore store = new ArtifactStore(new StorageProperties("http://127.0.0.1:" + port, "us-east-1",
                "outage", "ak", "sk-0123456789", false, null))) {
            // when
            long t0 = System.nanoTime();
            Throwable failure = catchThrowable(() -> new ObjectTransfer(store, PROPERTIES, window).download("x", dir.resolve("x")));

            // then it kept trying for the window, then failed with the named code
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(failure).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("stayed unreachable");
            assertThat(Failures.describe(failure).code()).isEqualTo("storage_unavailable");
        }
    }

    @Test
    void doesNotRetryAMissingObject() {
        try (FlakyStore store = new FlakyStore(10, new ArtifactNotFoundException("get x", null))) {
            assertThatThrownBy(() -> new ObjectTransfer(store, PROPERTIES, OUTAGES).download("x", Path.of("unused")))
                    .isInstanceOf(ArtifactNotFoundException.class);
            assertThat(store.calls).hasValue(1);
        }
    }
}
