package dev.finetune.api.job;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.jobs.*}: what one tenant may ask of the shared workers.
 *
 * @param maxActivePerTenant unfinished jobs (validating, queued, running or cancelling) at once; one
 *        more is a 429 {@code quota-exceeded}. With fair claiming (the queue serves the tenant holding
 *        the fewest leases first) the other tenants' jobs still start.
 * @param trainedTokenBudget tokens a tenant's jobs may train within {@code budgetWindow} (counted over
 *        the jobs submitted in it); a submit once it is spent is a 429. 0: no budget. Jobs already
 *        running finish: the budget is checked when work is asked for, not in the middle of it.
 * @param budgetWindow the rolling window the budget counts over
 */
@Validated
@ConfigurationProperties("finetune.jobs")
public record JobProperties(
        @DefaultValue("20") @Min(1) @Max(100_000) int maxActivePerTenant,
        @DefaultValue("0") @Min(0) long trainedTokenBudget,
        @DefaultValue("30d") @NotNull Duration budgetWindow) {
}
