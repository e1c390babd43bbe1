package dev.finetune.registry;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;

/** How an alias moved. */
public enum AliasAction implements WireEnum {
    PROMOTE, ROLLBACK, REMOVE;

    static AliasAction fromWire(String wire) {
        return WireEnum.fromWire(AliasAction.class, wire, "action");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }
}
