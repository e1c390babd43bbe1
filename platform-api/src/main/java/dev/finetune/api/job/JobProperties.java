package dev.finetune.api.job;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.jobs.*}: how many unfinished jobs (validating, queued, running or cancelling) one
 * tenant may have at once. One more is a 429 {@code quota-exceeded}, so a tenant cannot flood the
 * queue; with fair claiming (the queue serves the tenant holding the fewest leases first) the
 * others' jobs still start.
 */
@Validated
@ConfigurationProperties("finetune.jobs")
public record JobProperties(@DefaultValue("20") @Min(1) @Max(100_000) int maxActivePerTenant) {
}
