package dev.finetune.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a dataset file into raw records, before any format is applied.
 *
 * <ul>
 *   <li>{@code .txt}: the whole file is one raw-text record at line 1.
 *   <li>A file whose first non-blank character is {@code [}: a JSON array; records are numbered
 *       from 1 and located by the file line they start on. A syntax error ends the array (nothing
 *       after it can be located reliably).
 *   <li>Anything else: JSON Lines, one record per non-blank line, numbered by 1-based file line.
 * </ul>
 *
 * Invalid UTF-8 and invalid JSON become record-level errors; decoding never stops at the first one.
 */
final class RecordSource {

    /** For whole JSONL lines: text after the record is an error. */
    private static final ObjectMapper LINE_JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** For records streamed out of an array, where more tokens follow by design. */
    private static final ObjectMapper STREAM_JSON = new ObjectMapper();

    /**
     * One record: a parsed node, the raw text of a {@code .txt} file, or the errors that stop it.
     *
     * @param line the 1-based file line the record starts on
     * @param record the 1-based record number in a JSON array, null in other files
     */
    record Raw(int line, Integer record, JsonNode node, String text, List<RecordError> errors) {

        Raw(int line, JsonNode node, String text, List<RecordError> errors) {
            this(line, null, node, text, errors);
        }
    }

    record Records(boolean jsonArray, boolean rawText, List<Raw> items) {}

    private RecordSource() {}

    static Records read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file, e);
        }
        Utf8Text.Decoded decoded = Utf8Text.decode(bytes);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".txt")) {
            List<RecordError> errors = new ArrayList<>();
            for (Utf8Text.Malformed m : decoded.malformed()) {
                errors.add(new RecordError(m.line(), null, m.describe()));
            }
            return new Records(false, true, List.of(new Raw(1, null, decoded.text(), errors)));
        }
        String text = decoded.text();
        return text.stripLeading().startsWith("[")
                ? new Records(true, false, readArray(text, decoded.malformed()))
                : new Records(false, false, readLines(text, decoded.malformed()));
    }

    private static List<Raw> readLines(String text, List<Utf8Text.Malformed> malformed) {
        List<Raw> out = new ArrayList<>();
        int start = 0;
        int line = 1;
        int bad = 0;
        while (start <= text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            List<RecordError> errors = new ArrayList<>();
            while (bad < malformed.size() && malformed.get(bad).charOffset() < end) {
                errors.add(new RecordError(line, null, malformed.get(bad++).describe()));
            }
            String content = text.substring(start, end);
            if (!errors.isEmpty()) {
                out.add(new Raw(line, null, null, errors));
            } else if (!content.isBlank()) {
                out.add(parseLine(line, content));
            }
            if (nl < 0) {
                break;
            }
            start = nl + 1;
            line++;
        }
        return out;
    }

    private static Raw parseLine(int line, String content) {
        try {
            JsonNode node = LINE_JSON.readTree(content);
            return new Raw(line, node, null, List.of());
        } catch (JsonProcessingException e) {
            String msg = "invalid JSON at column " + columnOf(e) + ": " + clean(e);
            return new Raw(line, null, null, List.of(new RecordError(line, null, msg)));
        }
    }

    private static List<Raw> readArray(String text, List<Utf8Text.Malformed> malformed) {
        List<Raw> out = new ArrayList<>();
        int number = 1;
        int line = 1;
        try (JsonParser p = STREAM_JSON.getFactory().createParser(text)) {
            p.nextToken(); // START_ARRAY, checked by the caller's sniffing
            line = p.currentTokenLocation().getLineNr();
            int bad = 0;
            while (true) {
                JsonToken t;
                try {
                    t = p.nextToken();
                    if (t == JsonToken.END_ARRAY) {
                        break;
                    }
                    if (t == null) {
                        out.add(arrayError(number, line, "invalid JSON: the array is not closed (truncated file?)"));
                        return out;
                    }
                    line = p.currentTokenLocation().getLineNr();
                    long from = p.currentTokenLocation().getCharOffset();
                    JsonNode node = STREAM_JSON.readTree(p);
                    long to = p.currentLocation().getCharOffset();
                    List<RecordError> errors = new ArrayList<>();
                    while (bad < malformed.size() && malformed.get(bad).charOffset() < to) {
                        Utf8Text.Malformed m = malformed.get(bad++);
                        if (m.charOffset() >= from) {
                            errors.add(new RecordError(line, number, null, prefix(number, line)
                                    + m.describe() + " (line " + m.line() + ")"));
                        }
                    }
                    out.add(new Raw(line, number, errors.isEmpty() ? node : null, null, errors));
                    number++;
                    line = p.currentLocation().getLineNr();
                } catch (JsonProcessingException e) {
                    JsonLocation loc = e.getLocation();
                    String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
                    out.add(arrayError(number, line, "invalid JSON" + where + ": " + clean(e)));
                    return out;
                }
            }
            if (p.nextToken() != null) {
                out.add(arrayError(number, p.currentTokenLocation().getLineNr(), "unexpected content after the closing ']'"));
            }
        } catch (IOException e) {
            out.add(arrayError(number, line, "invalid JSON: " + e.getMessage()));
        }
        return out;
    }

    /** How a JSON-array record's messages begin: "record 3 (line 17): ". */
    static String prefix(int record, int line) {
        return "record " + record + " (line " + line + "): ";
    }

    private static Raw arrayError(int number, int line, String message) {
        return new Raw(line, number, null, null, List.of(new RecordError(line, number, null, prefix(number, line) + message)));
    }

    private static int columnOf(JsonProcessingException e) {
        return e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
    }

    private static String clean(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
