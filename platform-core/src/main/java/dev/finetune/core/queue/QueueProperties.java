package dev.finetune.core.queue;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.queue.*}: how long a lease lasts without a heartbeat, how often a worker should
 * renew it (well under the lease), how often an idle worker polls, and how many times a job may
 * lose its worker before it is failed.
 */
@Validated
@ConfigurationProperties("finetune.queue")
public record QueueProperties(
        @DefaultValue("60s") @NotNull Duration lease,
        @DefaultValue("15s") @NotNull Duration heartbeatInterval,
        @DefaultValue("2s") @NotNull Duration pollInterval,
        @DefaultValue("3") @Min(1) @Max(100) int maxAttempts) {

    public QueueProperties {
        if (lease != null && heartbeatInterval != null && heartbeatInterval.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("finetune.queue.heartbeat-interval must be shorter than finetune.queue.lease");
        }
    }
}
