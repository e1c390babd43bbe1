package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;
import java.util.List;

/**
 * The outcome of checking a dataset file before training.
 *
 * @param format the format used (given or detected); null when it could not be detected
 * @param rows the records found (blank JSONL lines are not records)
 * @param validRows the records without any error
 * @param estimatedTokens the tokens of the valid records' text: counted with the tokenizer when one
 *     was given, otherwise characters / 4 (rounded up per field)
 * @param errors every error found, in file order, up to the spec's cap
 * @param errorsCapped whether more errors existed than were listed
 */
public record ValidationReport(
        DatasetFormat format,
        int rows,
        int validRows,
        long estimatedTokens,
        List<RecordError> errors,
        boolean errorsCapped) {

    public ValidationReport {
        errors = List.copyOf(errors);
    }

    /** True when every record is usable. */
    public boolean ok() {
        return errors.isEmpty() && rows > 0;
    }

    /** A short multi-line description: counts, then one line per error. */
    public String summary() {
        StringBuilder sb = new StringBuilder()
                .append(format == null ? "unknown format" : format.name())
                .append(": ").append(validRows).append('/').append(rows).append(" valid rows, ~")
                .append(estimatedTokens).append(" tokens");
        for (RecordError e : errors) {
            sb.append("\n  ").append(e);
        }
        if (errorsCapped) {
            sb.append("\n  (more errors not listed)");
        }
        return sb.toString();
    }
}
