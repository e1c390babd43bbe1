package dev.finetune.worker.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * Moves whole directories between the local work directory and object storage. Transient store
 * errors are retried with exponential back-off (a bounded number of tries); a missing object is
 * not transient and fails at once.
 */
@Component
class ObjectTransfer {

    private static final Logger log = LoggerFactory.getLogger(ObjectTransfer.class);

    private final ArtifactStore store;
    private final RetryTemplate retry;

    ObjectTransfer(ArtifactStore store, WorkerProperties properties) {
        this.store = store;
        RetryPolicy policy = RetryPolicy.builder()
                .maxRetries(properties.storageAttempts() - 1)
                .delay(Duration.ofMillis(500)).multiplier(2).maxDelay(Duration.ofSeconds(10))
                .includes(ArtifactStoreException.class)
                .excludes(ArtifactNotFoundException.class)
                .build();
        this.retry = new RetryTemplate(policy);
        this.retry.setRetryListener(new org.springframework.core.retry.RetryListener() {
            @Override
            public void beforeRetry(RetryPolicy p, org.springframework.core.retry.Retryable<?> r) {
                log.warn("retrying object storage call: {}", r.getName());
            }
        });
    }

    /** Downloads one object to a file. */
    void download(String key, Path target) {
        call("get " + key, () -> {
            store.getToFile(key, target);
            return null;
        });
    }

    /** Downloads every object under {@code prefix} into {@code dir}, keeping the relative paths; returns how many. */
    int downloadPrefix(String prefix, Path dir) {
        List<ObjectInfo> objects = call("list " + prefix, () -> store.list(prefix));
        for (ObjectInfo o : objects) {
            String relative = o.key().substring(prefix.length());
            Path target = dir.resolve(relative).normalize();
            if (!target.startsWith(dir)) {
                throw new IllegalStateException("object " + o.key() + " would be written outside " + dir);
            }
            download(o.key(), target);
        }
        return objects.size();
    }

    /**
     * Uploads every regular file of {@code dir} (recursively) under {@code prefix}; files named in
     * {@code last} go after all the others, so a reader that sees them sees a complete directory.
     * Returns the keys written, in upload order.
     */
    List<String> uploadDirectory(Path dir, String prefix, String... last) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<String> lastNames = List.of(last);
        files.sort((a, b) -> Boolean.compare(lastNames.contains(a.getFileName().toString()),
                lastNames.contains(b.getFileName().toString())));
        List<String> keys = new ArrayList<>();
        for (Path file : files) {
            String key = prefix + dir.relativize(file).toString().replace('\\', '/');
            call("put " + key, () -> {
                store.putFile(key, file);
                return null;
            });
            keys.add(key);
        }
        return keys;
    }

    private <T> T call(String what, Supplier<T> action) {
        try {
            return retry.execute(new org.springframework.core.retry.Retryable<T>() {
                @Override
                public T execute() {
                    return action.get();
                }

                @Override
                public String getName() {
                    return what;
                }
            });
        } catch (RetryException e) {
            Throwable last = e.getLastException();
            if (last instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new ArtifactStoreException(what + " failed", last);
        }
    }
}
