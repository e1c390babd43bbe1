package dev.finetune.worker;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.worker.storage-retry.*}: what a job does while object storage is unreachable
 * (connection refused, timeouts, an unknown host, a transfer cut off, a 5xx of the store). The job
 * pauses where it is, keeping its lease and its training state, and retries the call after
 * {@code initialDelay}, doubling the wait up to {@code maxDelay}; when the store answers again the
 * job goes on (a slice whose checkpoint upload waited uploads it and continues). Only when the store
 * stayed unreachable for {@code giveUpAfter} does the job fail, with error code
 * {@code storage_unavailable}.
 *
 * @param initialDelay wait before the first retry
 * @param maxDelay the longest wait between two retries
 * @param giveUpAfter how long the store may stay unreachable before the job fails; an outage of
 *     the store for a restart or an upgrade should fit in it
 */
@Validated
@ConfigurationProperties("finetune.worker.storage-retry")
public record StorageRetryProperties(
        @DefaultValue("500ms") @NotNull Duration initialDelay,
        @DefaultValue("30s") @NotNull Duration maxDelay,
        @DefaultValue("15m") @NotNull Duration giveUpAfter) {

    public StorageRetryProperties {
        if (initialDelay != null && (initialDelay.isNegative() || initialDelay.isZero())) {
            throw new IllegalArgumentException("finetune.worker.storage-retry.initial-delay must be positive");
        }
        if (initialDelay != null && maxDelay != null && maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("finetune.worker.storage-retry.max-delay must be at least initial-delay");
        }
        if (giveUpAfter != null && giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("finetune.worker.storage-retry.give-up-after must not be negative");
        }
    }

    /** The wait before retry number {@code retry} (1-based): initial, doubled each time, capped at max. */
    public Duration delayBefore(int retry) {
        Duration delay = initialDelay;
        for (int i = 1; i < retry && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
