package dev.finetune.registry;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A version's training curve in four numbers; losses are null when the run never produced one. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingCurve(int steps, Double firstTrainLoss, Double finalTrainLoss, Double minEvalLoss) {
}
