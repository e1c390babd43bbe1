package dev.finetune.core.progress;

import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

public enum EventLevel implements WireEnum {
    DEBUG, INFO, WARN, ERROR;

    @jakarta.persistence.Converter
    public static class JpaConverter extends WireEnumConverter<EventLevel> {
        public JpaConverter() {
            super(EventLevel.class);
        }
    }
}
