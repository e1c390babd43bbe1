package dev.finetune.registry;

import java.time.Instant;
import java.util.Map;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A segment's adapter repository.
 *
 * @param latestVersion the highest number handed out so far (numbers are never reused)
 * @param versionCount versions not deleted, archived ones included
 * @param aliases alias name to version number
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RepositorySummary(String segment, String description, GatePolicy gate, int latestVersion,
        int versionCount, Map<String, Integer> aliases, Instant createdAt) {

    public RepositorySummary {
        aliases = Map.copyOf(aliases);
    }
}
