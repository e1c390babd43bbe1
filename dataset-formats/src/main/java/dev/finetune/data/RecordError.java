package dev.finetune.data;

/**
 * One problem with one record.
 *
 * @param line where the record is: the 1-based file line for JSONL and {@code .txt} files, the
 *     0-based record index for JSON-array files (whose messages then start with "record N")
 * @param field the JSON path of the offending field, such as {@code messages[2].content}, or null
 *     when the problem is with the record as a whole (invalid JSON, invalid UTF-8)
 * @param message what is wrong, for people
 */
public record RecordError(int line, String field, String message) {

    @Override
    public String toString() {
        return line + (field == null ? "" : " [" + field + "]") + ": " + message;
    }
}
