package dev.finetune.registry;

import java.util.UUID;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The checkpoint a version's training started from ({@code from_checkpoint}), instead of the bare base model.
 *
 * @param checkpoint its id as the API names it, {@code <job id>:step-<n>}
 * @param jobId the job that wrote it
 * @param step the step it was written at
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CheckpointLineage(String checkpoint, UUID jobId, int step) {

    static CheckpointLineage of(UUID jobId, int step) {
        return new CheckpointLineage(jobId + ":step-" + step, jobId, step);
    }
}
