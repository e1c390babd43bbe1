package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;

/**
 * How to read a dataset file.
 *
 * @param format the layout, or null to detect it from the keys of the first valid record
 *     ({@code .txt} files are always {@link DatasetFormat#TEXT})
 * @param fieldMapping key renames, or null for the standard names
 * @param errorCap the most errors a {@link ValidationReport} lists (later ones are counted as
 *     capped, never silently accepted)
 */
public record DatasetSpec(DatasetFormat format, FieldMapping fieldMapping, int errorCap) {

    public static final int DEFAULT_ERROR_CAP = 100;

    public DatasetSpec {
        if (fieldMapping == null) {
            fieldMapping = FieldMapping.DEFAULT;
        }
        if (errorCap < 1) {
            throw new IllegalArgumentException("errorCap must be at least 1, got " + errorCap);
        }
    }

    /** Auto-detected format, standard keys, default cap. */
    public static DatasetSpec auto() {
        return new DatasetSpec(null, null, DEFAULT_ERROR_CAP);
    }

    /** An explicit format with standard keys and the default cap. */
    public static DatasetSpec of(DatasetFormat format) {
        return new DatasetSpec(format, null, DEFAULT_ERROR_CAP);
    }

    /** An explicit (or null = detected) format with renamed keys and the default cap. */
    public static DatasetSpec of(DatasetFormat format, FieldMapping mapping) {
        return new DatasetSpec(format, mapping, DEFAULT_ERROR_CAP);
    }

    public DatasetSpec withErrorCap(int cap) {
        return new DatasetSpec(format, fieldMapping, cap);
    }
}
