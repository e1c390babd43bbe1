package dev.finetune.core.dataset;

import dev.finetune.core.common.WireEnumConverter;
import dev.finetune.settings.DatasetFormat;

/** Stores a dataset's {@link DatasetFormat} by its wire name ({@code datasets.format}). */
@jakarta.persistence.Converter
public class DatasetFormatConverter extends WireEnumConverter<DatasetFormat> {
    public DatasetFormatConverter() {
        super(DatasetFormat.class);
    }
}
