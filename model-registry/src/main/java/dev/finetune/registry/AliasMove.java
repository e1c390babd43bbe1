package dev.finetune.registry;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One entry of the audit trail: an alias moved from one version to another (either may be null:
 * created, removed).
 *
 * @param forced the caller overrode the gate
 * @param gateOutcome what the gate said, e.g. {@code "passed: eval_loss 0.41 <= 0.45"}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AliasMove(long id, String segment, String alias, AliasAction action, Integer fromVersion,
        Integer toVersion, boolean forced, String gateOutcome, String reason, String actor, Instant occurredAt) {
}
