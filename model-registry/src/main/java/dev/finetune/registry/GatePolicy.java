package dev.finetune.registry;

import java.util.Set;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A repository's promotion gate: which aliases it guards and which rule a version must pass to
 * take one of them (unless forced with a reason).
 *
 * @param maxEvalLoss the threshold of {@link GateRule#MAX_EVAL_LOSS}; null for the other rules
 * @param taskMetric the score {@link GateRule#TASK_METRIC_NO_WORSE} compares: {@code exact_match},
 *        {@code contains}, {@code extracted_match} or {@code rouge_l}; null for the other rules
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GatePolicy(GateRule rule, Double maxEvalLoss, Set<String> gatedAliases, String taskMetric) {

    /** The task metrics a gate can compare. */
    public static final Set<String> TASK_METRICS = Set.of("exact_match", "contains", "extracted_match", "rouge_l");

    /** Alias names follow segment names: lower case, digits, '-' and '_', at most 63 characters. */
    public static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final String PRODUCTION = "production";

    public static final GatePolicy DEFAULT = new GatePolicy(GateRule.EVAL_LOSS_NO_WORSE, null, Set.of(PRODUCTION));

    /** A gate of a rule without a task metric. */
    public GatePolicy(GateRule rule, Double maxEvalLoss, Set<String> gatedAliases) {
        this(rule, maxEvalLoss, gatedAliases, null);
    }

    public GatePolicy {
        Checks.notNull(rule, "gate.rule");
        gatedAliases = Set.copyOf(Checks.notNull(gatedAliases, "gate.gated_aliases"));
        gatedAliases.forEach(a -> Checks.matches(a, ALIAS, "gate.gated_aliases"));
        if (maxEvalLoss != null && (!Double.isFinite(maxEvalLoss) || maxEvalLoss < 0)) {
            throw new IllegalArgumentException("gate.max_eval_loss must be a number >= 0 but was " + maxEvalLoss);
        }
        if (rule == GateRule.MAX_EVAL_LOSS && (maxEvalLoss == null || !Double.isFinite(maxEvalLoss) || maxEvalLoss <= 0)) {
            throw new IllegalArgumentException("gate.max_eval_loss must be a positive number with rule max_eval_loss");
        }
        if (rule != GateRule.MAX_EVAL_LOSS) {
            maxEvalLoss = null;
        }
        if (rule == GateRule.TASK_METRIC_NO_WORSE && (taskMetric == null || !TASK_METRICS.contains(taskMetric))) {
            throw new IllegalArgumentException("gate.task_metric must be one of " + TASK_METRICS.stream().sorted().toList()
                    + " with rule task_metric_no_worse but was " + taskMetric);
        }
        if (rule != GateRule.TASK_METRIC_NO_WORSE) {
            taskMetric = null;
        }
    }

    public boolean guards(String alias) {
        return rule != GateRule.NONE && gatedAliases.contains(alias);
    }
}
