package dev.finetune.data;

/**
 * One problem with one record.
 *
 * @param line the 1-based file line where the record starts (for JSON-array files too, where a
 *     record may span many lines)
 * @param record the 1-based number of the record in a JSON-array file (whose messages then start
 *     with "record N (line L): "), or null for JSON Lines and {@code .txt} files, where the line
 *     is the record
 * @param field the JSON path of the offending field, such as {@code messages[2].content}, or null
 *     when the problem is with the record as a whole (invalid JSON, invalid UTF-8)
 * @param message what is wrong, for people
 */
public record RecordError(int line, Integer record, String field, String message) {

    /** A problem in a JSON Lines or {@code .txt} file, where the line is the record. */
    public RecordError(int line, String field, String message) {
        this(line, null, field, message);
    }

    @Override
    public String toString() {
        return line + (field == null ? "" : " [" + field + "]") + ": " + message;
    }
}
