package dev.finetune.core.dataset;

import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

public enum ValidationStatus implements WireEnum {
    PENDING, VALID, INVALID;

    @jakarta.persistence.Converter
    public static class JpaConverter extends WireEnumConverter<ValidationStatus> {
        public JpaConverter() {
            super(ValidationStatus.class);
        }
    }
}
