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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GatePolicy(GateRule rule, Double maxEvalLoss, Set<String> gatedAliases) {

    /** Alias names follow segment names: lower case, digits, '-' and '_', at most 63 characters. */
    public static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final String PRODUCTION = "production";

    public static final GatePolicy DEFAULT = new GatePolicy(GateRule.EVAL_LOSS_NO_WORSE, null, Set.of(PRODUCTION));

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
    }

    public boolean guards(String alias) {
        return rule != GateRule.NONE && gatedAliases.contains(alias);
    }
}
