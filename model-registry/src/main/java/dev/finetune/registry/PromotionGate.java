package dev.finetune.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a version may take a guarded alias. One variant per {@link GateRule}; a new rule
 * is a new record here, not a branch inside another.
 */
sealed interface PromotionGate {

    /**
     * @param outcome one line for the audit trail and the problem's detail
     * @param metrics what the decision was based on, for the problem's extension fields
     */
    record Decision(boolean passed, String outcome, Map<String, Object> metrics) {
    }

    /** @param current the version the alias points at now, or null if it points nowhere yet */
    Decision evaluate(AdapterVersion candidate, AdapterVersion current);

    GateRule rule();

    static PromotionGate of(GatePolicy policy) {
        return switch (policy.rule()) {
            case EVAL_LOSS_NO_WORSE -> new EvalLossNoWorse();
            case MAX_EVAL_LOSS -> new MaxEvalLoss(policy.maxEvalLoss());
            case TASK_METRIC_NO_WORSE -> new TaskMetricNoWorse(policy.taskMetric());
            case NONE -> new Open();
        };
    }

    /** The default: no worse than the version it replaces, measured on the same eval set. */
    record EvalLossNoWorse() implements PromotionGate {

        @Override
        public Decision evaluate(AdapterVersion candidate, AdapterVersion current) {
            Map<String, Object> m = metrics(candidate, current);
            if (current == null) {
                return new Decision(true, "passed: the alias points at no version yet", m);
            }
            if (current.evalLoss() == null) {
                return new Decision(true, "passed: current version " + current.number() + " has no eval loss to beat", m);
            }
            if (candidate.evalLoss() == null) {
                return new Decision(false, "blocked: version " + candidate.number() + " has no eval loss, current version "
                        + current.number() + " has " + current.evalLoss(), m);
            }
            if (candidate.evalSetSha256() == null || !Objects.equals(candidate.evalSetSha256(), current.evalSetSha256())) {
                return new Decision(false, "blocked: versions " + candidate.number() + " (eval loss " + candidate.evalLoss()
                        + ") and " + current.number() + " (eval loss " + current.evalLoss()
                        + ") were evaluated on different eval sets", m);
            }
            boolean passed = candidate.evalLoss() <= current.evalLoss();
            return new Decision(passed, (passed ? "passed" : "blocked") + ": eval_loss " + candidate.evalLoss()
                    + (passed ? " <= " : " > ") + current.evalLoss() + " of current version " + current.number(), m);
        }

        @Override
        public GateRule rule() {
            return GateRule.EVAL_LOSS_NO_WORSE;
        }
    }

    /** A fixed bar: eval loss at most {@code threshold}. */
    record MaxEvalLoss(double threshold) implements PromotionGate {

        @Override
        public Decision evaluate(AdapterVersion candidate, AdapterVersion current) {
            Map<String, Object> m = metrics(candidate, current);
            m.put("maxEvalLoss", threshold);
            boolean passed = candidate.evalLoss() != null && candidate.evalLoss() <= threshold;
            return new Decision(passed, (passed ? "passed" : "blocked") + ": eval_loss " + candidate.evalLoss()
                    + (passed ? " <= " : " is not <= ") + "threshold " + threshold, m);
        }

        @Override
        public GateRule rule() {
            return GateRule.MAX_EVAL_LOSS;
        }
    }

    /**
     * The adapter's task metric no worse than the current holder's, on the same eval set: a version
     * without task metrics cannot replace one that has them, and two versions' scores on different eval
     * sets are not compared.
     */
    record TaskMetricNoWorse(String metric) implements PromotionGate {

        @Override
        public Decision evaluate(AdapterVersion candidate, AdapterVersion current) {
            Map<String, Object> m = metrics(candidate, current);
            Double mine = score(candidate);
            Double theirs = current == null ? null : score(current);
            m.put("taskMetric", metric);
            m.put("candidateTaskMetric", mine);
            m.put("currentTaskMetric", theirs);
            if (current == null) {
                return new Decision(true, "passed: the alias points at no version yet", m);
            }
            if (theirs == null) {
                return new Decision(true, "passed: current version " + current.number() + " has no " + metric + " to beat", m);
            }
            if (mine == null) {
                return new Decision(false, "blocked: version " + candidate.number() + " has no " + metric
                        + " (no task evaluation), current version " + current.number() + " has " + theirs, m);
            }
            if (candidate.evalSetSha256() == null || !Objects.equals(candidate.evalSetSha256(), current.evalSetSha256())) {
                return new Decision(false, "blocked: versions " + candidate.number() + " (" + metric + " " + mine + ") and "
                        + current.number() + " (" + metric + " " + theirs + ") were evaluated on different eval sets", m);
            }
            boolean passed = mine >= theirs;
            return new Decision(passed, (passed ? "passed" : "blocked") + ": " + metric + " " + mine
                    + (passed ? " >= " : " < ") + theirs + " of current version " + current.number(), m);
        }

        private Double score(AdapterVersion v) {
            if (v.taskMetrics() == null) {
                return null;
            }
            var s = v.taskMetrics().adapter();
            return switch (metric) {
                case "exact_match" -> s.exactMatch();
                case "contains" -> s.contains();
                case "extracted_match" -> s.extractedMatch();
                case "rouge_l" -> s.rougeL();
                default -> throw new IllegalStateException("unknown task metric " + metric);
            };
        }

        @Override
        public GateRule rule() {
            return GateRule.TASK_METRIC_NO_WORSE;
        }
    }

    /** No gate. */
    record Open() implements PromotionGate {

        @Override
        public Decision evaluate(AdapterVersion candidate, AdapterVersion current) {
            return new Decision(true, "passed: the repository has no gate", metrics(candidate, current));
        }

        @Override
        public GateRule rule() {
            return GateRule.NONE;
        }
    }

    private static Map<String, Object> metrics(AdapterVersion candidate, AdapterVersion current) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidateVersion", candidate.number());
        m.put("candidateEvalLoss", candidate.evalLoss());
        m.put("candidateEvalSet", candidate.evalSetSha256());
        m.put("currentVersion", current == null ? null : current.number());
        m.put("currentEvalLoss", current == null ? null : current.evalLoss());
        m.put("currentEvalSet", current == null ? null : current.evalSetSha256());
        return m;
    }
}
