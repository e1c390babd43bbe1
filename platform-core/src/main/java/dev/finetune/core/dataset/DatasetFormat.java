package dev.finetune.core.dataset;

import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

/** The layout of a dataset file. */
public enum DatasetFormat implements WireEnum {
    /** One {"messages":[{"role":..,"content":..}]} object per line. */
    CHAT_JSONL,
    /** One {"prompt":..,"completion":..} object per line. */
    COMPLETION_JSONL,
    /** Plain text for continued pre-training. */
    TEXT;

    public static DatasetFormat fromWire(String wire) {
        return WireEnum.fromWire(DatasetFormat.class, wire, "format");
    }

    @jakarta.persistence.Converter
    public static class JpaConverter extends WireEnumConverter<DatasetFormat> {
        public JpaConverter() {
            super(DatasetFormat.class);
        }
    }
}
