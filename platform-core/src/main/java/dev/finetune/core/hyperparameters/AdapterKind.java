package dev.finetune.core.hyperparameters;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;

/** Bottleneck adapter placement: Pfeiffer (after the FFN only) or Houlsby (after attention and FFN). */
public enum AdapterKind implements WireEnum {
    PFEIFFER, HOULSBY;

    @JsonCreator
    public static AdapterKind fromWire(String wire) {
        return WireEnum.fromWire(AdapterKind.class, wire, "adapter_kind");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }
}
