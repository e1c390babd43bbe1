package dev.finetune.registry;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.registry.completions.*}: how {@link JobCompletions} retries succeeded jobs
 * whose registration has not happened yet (the process that finished the job died, or the
 * registration failed). Every process with the registry looks for due entries at start and then
 * every {@code interval}; a failed entry waits {@code interval}, then twice as long after each
 * further failure, at most {@code max-backoff}.
 */
@Validated
@ConfigurationProperties("finetune.registry.completions")
public record CompletionProperties(
        @DefaultValue("30s") @NotNull Duration interval,
        @DefaultValue("15m") @NotNull Duration maxBackoff) {

    public CompletionProperties {
        if (interval != null && (interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("finetune.registry.completions.interval must be positive but was " + interval);
        }
        if (interval != null && maxBackoff != null && maxBackoff.compareTo(interval) < 0) {
            throw new IllegalArgumentException("finetune.registry.completions.max-backoff must be at least the interval");
        }
    }

    /** How long to wait after the entry's {@code failures}-th failed attempt (1 = the first). */
    Duration backoffAfter(int failures) {
        Duration delay = interval;
        for (int i = 1; i < failures && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) < 0 ? delay : maxBackoff;
    }
}
