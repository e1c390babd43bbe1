package dev.finetune.registry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.finetune.core.json.CoreJson;
import dev.finetune.registry.VersionComparison.Row;
import tools.jackson.databind.JsonNode;

/** Puts two versions side by side, row by row, marking what differs. */
final class Comparisons {

    private Comparisons() {
    }

    static VersionComparison compare(AdapterVersion a, AdapterVersion b) {
        boolean sameEvalSet = a.evalSetSha256() != null && a.evalSetSha256().equals(b.evalSetSha256());
        List<Row> lineage = List.of(
                row("base_model_id", a.baseModelId(), b.baseModelId()),
                row("base_model_name", a.baseModelName(), b.baseModelName()),
                row("base_model_sha256", a.baseModelSha256(), b.baseModelSha256()),
                row("dataset_name", a.datasetName(), b.datasetName()),
                row("dataset_sha256", a.datasetSha256(), b.datasetSha256()),
                row("eval_set_sha256", a.evalSetSha256(), b.evalSetSha256()),
                row("eval_set_source", evalSetSource(a), evalSetSource(b)),
                row("from_checkpoint", a.fromCheckpoint() == null ? null : a.fromCheckpoint().checkpoint(),
                        b.fromCheckpoint() == null ? null : b.fromCheckpoint().checkpoint()),
                row("method", a.method().wireName(), b.method().wireName()),
                row("source_job_id", a.sourceJobId(), b.sourceJobId()),
                row("artifact_sha256", a.artifact().sha256(), b.artifact().sha256()),
                number("artifact_size_bytes", (double) a.artifact().sizeBytes(), (double) b.artifact().sizeBytes()));
        List<Row> metrics = List.of(
                number("eval_loss", a.evalLoss(), b.evalLoss()),
                number("perplexity", a.perplexity(), b.perplexity()),
                number("initial_eval_loss", a.initialEvalLoss(), b.initialEvalLoss()),
                number("min_eval_loss", a.curve().minEvalLoss(), b.curve().minEvalLoss()),
                number("first_train_loss", a.curve().firstTrainLoss(), b.curve().firstTrainLoss()),
                number("final_train_loss", a.curve().finalTrainLoss(), b.curve().finalTrainLoss()),
                number("steps", (double) a.curve().steps(), (double) b.curve().steps()));
        return VersionComparison.of(a, b, sameEvalSet, lineage, hyperparameters(a, b), metrics);
    }

    /** e.g. {@code held_out 0.1 of train.jsonl} or {@code validation_file eval.jsonl}; null when not recorded. */
    private static String evalSetSource(AdapterVersion v) {
        EvalSetLineage e = v.evalSet();
        return e == null ? null : e.source() + (e.fraction() == null ? "" : " " + e.fraction() + " of") + " " + e.datasetName();
    }

    /** Every hyperparameter by its JSON name, in the record's order. */
    private static List<Row> hyperparameters(AdapterVersion a, AdapterVersion b) {
        JsonNode left = CoreJson.mapper().valueToTree(a.hyperparameters());
        JsonNode right = CoreJson.mapper().valueToTree(b.hyperparameters());
        Set<String> names = new LinkedHashSet<>();
        left.propertyNames().forEach(names::add);
        right.propertyNames().forEach(names::add);
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            Object x = plain(left.get(name));
            Object y = plain(right.get(name));
            rows.add(new Row(name, x, y, !Objects.equals(x, y), null));
        }
        return rows;
    }

    private static Object plain(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return CoreJson.mapper().convertValue(node, Object.class);
    }

    private static Row row(String name, Object a, Object b) {
        return new Row(name, a == null ? null : a.toString(), b == null ? null : b.toString(), !Objects.equals(a, b), null);
    }

    private static Row number(String name, Double a, Double b) {
        Double delta = a == null || b == null ? null : b - a;
        return new Row(name, a, b, !Objects.equals(a, b), delta);
    }
}
