package dev.finetune.worker.workspace;

import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.lease.WorkerState;
import dev.finetune.worker.progress.ProgressLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.ObjectInfo;
import dev.finetune.core.storage.StorageUnavailableException;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.worker.StorageRetryProperties;
import dev.finetune.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * Moves whole directories between the local work directory and object storage.
 *
 * <p>An unreachable store ({@link StorageUnavailableException}: refused, timed out, cut off) pauses
 * the job where it is: the call is retried with exponential back-off
 * ({@link StorageRetryProperties}) for up to {@code give-up-after}, the lease is kept by its
 * heartbeat thread, and the job's events say it paused and when it went on. Only a store that stays
 * unreachable for the whole window fails the job ({@code storage_unavailable}); a shutdown or a
 * lost lease ends the wait early (the job then resumes elsewhere from its last checkpoint). Other
 * store errors are retried a bounded number of times ({@code storage-attempts}); a missing object
 * is not transient and fails at once.
 */
@Component
public class ObjectTransfer {

    private static final Logger log = LoggerFactory.getLogger(ObjectTransfer.class);

    private final ArtifactStore store;
    private final RetryTemplate retry;
    private final StorageRetryProperties outages;
    private final WorkerState state;
    private final ProgressLog progress;

    @Autowired
    ObjectTransfer(ArtifactStore store, WorkerProperties properties, StorageRetryProperties outages, WorkerState state,
            ProgressLog progress) {
        this.store = store;
        this.outages = outages;
        this.state = state;
        this.progress = progress;
        RetryPolicy policy = RetryPolicy.builder()
                .maxRetries(properties.storageAttempts() - 1)
                .delay(Duration.ofMillis(500)).multiplier(2).maxDelay(Duration.ofSeconds(10))
                .includes(ArtifactStoreException.class)
                .excludes(ArtifactNotFoundException.class, StorageUnavailableException.class)
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
    public void download(String key, Path target) {
        call("get " + key, () -> {
            store.getToFile(key, target);
            return null;
        });
    }

    /** Downloads every object under {@code prefix} into {@code dir}, keeping the relative paths; returns how many. */
    public int downloadPrefix(String prefix, Path dir) {
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
    public List<String> uploadDirectory(Path dir, String prefix, String... last) {
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

    /** Without a job to pause or report to (tests of the retry rules alone). */
    ObjectTransfer(ArtifactStore store, WorkerProperties properties, StorageRetryProperties outages) {
        this(store, properties, outages, null, null);
    }

    /** Runs a store call; while the store is unreachable, waits with back-off for up to the give-up window. */
    private <T> T call(String what, Supplier<T> action) {
        Instant since = null;
        for (int retry = 1; ; retry++) {
            try {
                T result = attempt(what, action);
                if (since != null) {
                    Duration paused = Duration.between(since, Instant.now());
                    log.info("object storage answers again after {} s; going on with {}", paused.toSeconds(), what);
                    report(EventLevel.INFO, "Object storage is reachable again after " + paused.toSeconds()
                            + " s; training goes on", Map.of("paused_seconds", paused.toSeconds()));
                }
                return result;
            } catch (StorageUnavailableException e) {
                Instant now = Instant.now();
                if (since == null) {
                    since = now;
                    log.warn("object storage is unreachable ({}); the job pauses and retries for up to {}",
                            e.getMessage(), outages.giveUpAfter());
                    report(EventLevel.WARN, "Paused: object storage is unreachable; retrying for up to "
                            + outages.giveUpAfter().toMinutes() + " min",
                            Map.of("give_up_after_seconds", outages.giveUpAfter().toSeconds()));
                }
                Duration down = Duration.between(since, now);
                if (down.compareTo(outages.giveUpAfter()) >= 0) {
                    throw new StorageUnavailableException("object storage stayed unreachable for " + down.toSeconds()
                            + " s (give-up-after " + outages.giveUpAfter() + ") during " + what, e);
                }
                if (mustStopWaiting()) {
                    throw e;
                }
                Duration wait = outages.delayBefore(retry);
                Duration left = outages.giveUpAfter().minus(down);
                sleep(wait.compareTo(left) > 0 ? left : wait);
            }
        }
    }

    /** A shutdown, a cancel or a lost lease ends the pause: the job resumes later from its last checkpoint. */
    private boolean mustStopWaiting() {
        return state != null && state.current().map(ActiveJob::shouldLeaveSlice).orElse(false);
    }

    private void report(EventLevel level, String message, Map<String, Object> data) {
        if (state == null || progress == null) {
            return;
        }
        state.current().ifPresent(job -> {
            try {
                progress.event(job.jobId(), level, message, data);
            } catch (RuntimeException e) {
                log.warn("could not record the event '{}': {}", message, e.toString());
            }
        });
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted while waiting for object storage", e);
        }
    }

    private <T> T attempt(String what, Supplier<T> action) {
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
