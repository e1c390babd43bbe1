package dev.finetune.core.dataset;

import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

/**
 * The layout of a dataset file: the same five layouts, under the same names, as
 * {@code dev.finetune.data.DatasetFormat}, which reads and validates them.
 */
public enum DatasetFormat implements WireEnum {
    /** {"messages":[{"role":..,"content":..}]} records. */
    CHAT,
    /** Alpaca {"instruction","input"?,"output"} records. */
    INSTRUCTION,
    /** {"prompt","completion"} records. */
    COMPLETION,
    /** {"conversations":[{"from","value"}]} records. */
    SHAREGPT,
    /** Raw text, or {"text"} records, for continued pre-training. */
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
