package dev.finetune.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.StorageProperties;
import dev.finetune.worker.WorkerProperties;
import org.junit.jupiter.api.Test;

/** Retries of transient object-storage errors, against a store whose calls fail on purpose. */
class ObjectTransferTest {

    static final WorkerProperties PROPERTIES = new WorkerProperties(true, "", "cpu", 20,
            java.time.Duration.ofMinutes(5), 0.1, null, java.time.Duration.ofMinutes(5), 3);

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
            new ObjectTransfer(store, PROPERTIES).download("x", Path.of("unused"));
            assertThat(store.calls).hasValue(3);
        }
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() {
        try (FlakyStore store = new FlakyStore(10, new ArtifactStoreException("get x failed: 503", null))) {
            assertThatThrownBy(() -> new ObjectTransfer(store, PROPERTIES).download("x", Path.of("unused")))
                    .isInstanceOf(ArtifactStoreException.class).hasMessageContaining("503");
            assertThat(store.calls).hasValue(3);
        }
    }

    @Test
    void doesNotRetryAMissingObject() {
        try (FlakyStore store = new FlakyStore(10, new ArtifactNotFoundException("get x", null))) {
            assertThatThrownBy(() -> new ObjectTransfer(store, PROPERTIES).download("x", Path.of("unused")))
                    .isInstanceOf(ArtifactNotFoundException.class);
            assertThat(store.calls).hasValue(1);
        }
    }
}
