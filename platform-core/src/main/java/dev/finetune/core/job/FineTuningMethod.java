package dev.finetune.core.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

/** LoRA on full-precision weights, QLoRA on 4-bit quantised weights, or bottleneck adapters. */
public enum FineTuningMethod implements WireEnum {
    LORA, QLORA, ADAPTER;

    @JsonCreator
    public static FineTuningMethod fromWire(String wire) {
        return WireEnum.fromWire(FineTuningMethod.class, wire, "method");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }

    @jakarta.persistence.Converter
    public static class JpaConverter extends WireEnumConverter<FineTuningMethod> {
        public JpaConverter() {
            super(FineTuningMethod.class);
        }
    }
}
