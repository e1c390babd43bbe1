package dev.finetune.core.hyperparameters;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;

/** How the learning rate evolves after warm-up. */
public enum LrScheduler implements WireEnum {
    CONSTANT, LINEAR, COSINE;

    @JsonCreator
    public static LrScheduler fromWire(String wire) {
        return WireEnum.fromWire(LrScheduler.class, wire, "lr_scheduler");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }
}
