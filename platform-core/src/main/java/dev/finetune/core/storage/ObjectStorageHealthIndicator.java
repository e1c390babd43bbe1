package dev.finetune.core.storage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health component {@code objectStorage}: UP when the store answers that the bucket exists within
 * {@link #DEFAULT_TIMEOUT}; DOWN when it is missing, refuses or does not answer in time. Part of
 * the readiness group, so a replica that cannot store artifacts takes no traffic. The detail names
 * the bucket and the reason, never a credential.
 */
public class ObjectStorageHealthIndicator implements HealthIndicator {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** Own daemon threads: a store that hangs must not tie up the common pool. */
    private static final ExecutorService CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "object-storage-health");
        t.setDaemon(true);
        return t;
    });

    private final ArtifactStore store;
    private final Duration timeout;

    public ObjectStorageHealthIndicator(ArtifactStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    @Override
    public Health health() {
        CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(store::bucketExists, CHECKS);
        try {
            boolean exists = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return (exists ? Health.up() : Health.down().withDetail("reason", "the bucket does not exist"))
                    .withDetail("bucket", store.bucket()).build();
        } catch (TimeoutException e) {
            answer.cancel(true);
            return Health.down().withDetail("bucket", store.bucket())
                    .withDetail("reason", "no answer within " + timeout.toMillis() + " ms").build();
        } catch (ExecutionException e) {
            return Health.down().withDetail("bucket", store.bucket())
                    .withDetail("reason", String.valueOf(e.getCause().getMessage())).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("bucket", store.bucket()).withDetail("reason", "interrupted").build();
        }
    }
}
