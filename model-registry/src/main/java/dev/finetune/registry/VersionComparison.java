package dev.finetune.registry;

import java.util.List;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Two versions side by side. Each row holds both values and whether they differ; numeric metric
 * rows also hold {@code delta = b - a}; {@code differences} names the rows that differ. Eval losses
 * are comparable only when {@code sameEvalSet}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VersionComparison(AdapterVersion a, AdapterVersion b, boolean sameEvalSet,
        List<Row> lineage, List<Row> hyperparameters, List<Row> metrics, List<String> differences) {

    static VersionComparison of(AdapterVersion a, AdapterVersion b, boolean sameEvalSet, List<Row> lineage,
            List<Row> hyperparameters, List<Row> metrics) {
        List<String> differences = java.util.stream.Stream.of(lineage, hyperparameters, metrics)
                .flatMap(List::stream).filter(Row::differs).map(Row::name).toList();
        return new VersionComparison(a, b, sameEvalSet, lineage, hyperparameters, metrics, differences);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Row(String name, Object a, Object b, boolean differs, Double delta) {
    }
}
