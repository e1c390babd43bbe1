package dev.finetune.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;

/** The rule a repository's promotion gate applies to the aliases it guards. */
public enum GateRule implements WireEnum {
    /** Default: the candidate's eval loss must be no worse than the current holder's, on the same eval set. */
    EVAL_LOSS_NO_WORSE,
    /** The candidate's eval loss must be at most a fixed threshold. */
    MAX_EVAL_LOSS,
    /**
     * The candidate adapter's task metric ({@link GatePolicy#taskMetric}: exact match, contains,
     * extracted match or ROUGE-L on answers generated for the eval prompts) must be no worse than the
     * current holder's, on the same eval set.
     */
    TASK_METRIC_NO_WORSE,
    /** Any version may take any alias. */
    NONE;

    @JsonCreator
    public static GateRule fromWire(String wire) {
        return WireEnum.fromWire(GateRule.class, wire, "gate.rule");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }
}
