package dev.finetune.registry;

import java.time.Instant;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** An alias and the version it points at now. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Alias(String name, int version, Instant updatedAt, String updatedBy) {
}
