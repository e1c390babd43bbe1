package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;
import dev.finetune.data.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Reads and validates dataset files (JSON Lines, JSON arrays and raw {@code .txt}; see
 * {@link RecordSource} for how files are split and {@link RecordMapper} for the per-format rules).
 *
 * <p>The format is the spec's, or else detected from the first record that has all the keys of a
 * format (then, failing that, the first with one distinguishing key), in this order: messages →
 * CHAT, conversations → SHAREGPT, instruction/output → INSTRUCTION, prompt/completion →
 * COMPLETION, text → TEXT. {@code .txt} files are always TEXT. Every record is then checked against
 * that one format, so records of another layout are reported rather than silently mixed in.
 */
public final class DatasetReader {

    private DatasetReader() {}

    /**
     * Checks every record and reports all problems (up to the spec's cap) without throwing for bad
     * data. I/O failures still throw {@link java.io.UncheckedIOException}.
     *
     * @param tokOrNull used to count tokens of valid records; null estimates characters / 4
     */
    public static ValidationReport validate(Path file, DatasetSpec spec, TextTokenizer tokOrNull) {
        Scan scan = scan(file, spec);
        long tokens = 0;
        for (Example ex : scan.examples) {
            for (Turn t : ex.turns()) {
                tokens += tokOrNull == null
                        ? (t.content().length() + 3) / 4
                        : tokOrNull.encode(t.content(), false).length;
            }
        }
        return scan.report(tokens, spec.errorCap());
    }

    /**
     * Reads every record.
     *
     * @throws DatasetValidationException carrying the full report when any record is bad (or the
     *     file has none)
     */
    public static List<Example> read(Path file, DatasetSpec spec) {
        Scan scan = scan(file, spec);
        if (!scan.errors.isEmpty() || scan.rows == 0) {
            throw new DatasetValidationException(file.toString(), scan.report(0, spec.errorCap()));
        }
        return List.copyOf(scan.examples);
    }

    private static Scan scan(Path file, DatasetSpec spec) {
        RecordSource.Records records = RecordSource.read(file);
        Scan scan = new Scan();
        if (records.rawText()) {
            return scanText(records.items().get(0), spec, scan);
        }
        scan.rows = records.items().size();
        FieldMapping keys = spec.fieldMapping();
        DatasetFormat format = spec.format() != null ? spec.format() : detect(records.items(), keys);
        scan.format = format;
        if (format == null) {
            detectionFailure(records, keys, scan);
            return scan;
        }
        RecordMapper mapper = new RecordMapper(format, keys, records.jsonArray());
        for (RecordSource.Raw raw : records.items()) {
            if (!raw.errors().isEmpty()) {
                scan.errors.addAll(raw.errors());
                continue;
            }
            Example ex = mapper.map(raw.line(), raw.record(), raw.node(), scan.errors);
            if (ex != null) {
                scan.examples.add(ex);
            }
        }
        return scan;
    }

    private static Scan scanText(RecordSource.Raw raw, DatasetSpec spec, Scan scan) {
        if (spec.format() != null && spec.format() != DatasetFormat.TEXT) {
            throw new IllegalArgumentException(".txt files are TEXT datasets, not " + spec.format());
        }
        scan.format = DatasetFormat.TEXT;
        scan.rows = 1;
        scan.errors.addAll(raw.errors());
        if (raw.text().isBlank()) {
            scan.errors.add(new RecordError(1, null, "empty text"));
        }
        if (scan.errors.isEmpty()) {
            scan.examples.add(Example.text(1, raw.text()));
        }
        return scan;
    }

    private static DatasetFormat detect(List<RecordSource.Raw> items, FieldMapping keys) {
        for (boolean complete : new boolean[] {true, false}) {
            for (RecordSource.Raw raw : items) {
                Optional<DatasetFormat> f = RecordMapper.detect(raw.node(), keys, complete);
                if (f.isPresent()) {
                    return f.get();
                }
            }
        }
        return null;
    }

    private static void detectionFailure(RecordSource.Records records, FieldMapping keys, Scan scan) {
        for (RecordSource.Raw raw : records.items()) {
            scan.errors.addAll(raw.errors());
        }
        records.items().stream().filter(r -> r.node() != null).findFirst().ifPresent(first -> {
            List<String> seen = new ArrayList<>();
            for (Iterator<String> it = first.node().fieldNames(); it.hasNext(); ) {
                seen.add(it.next());
            }
            String msg = "cannot detect the dataset format from keys " + seen + "; expected "
                    + keys.messages() + ", " + keys.conversations() + ", " + keys.instruction() + "/"
                    + keys.output() + ", " + keys.prompt() + "/" + keys.completion() + " or "
                    + keys.text() + " (set the format and a field mapping)";
            scan.errors.add(new RecordError(first.line(), first.record(), null,
                    first.record() != null ? RecordSource.prefix(first.record(), first.line()) + msg : msg));
        });
        scan.errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
    }

    private static final class Scan {
        DatasetFormat format;
        int rows;
        final List<Example> examples = new ArrayList<>();
        final List<RecordError> errors = new ArrayList<>();

        ValidationReport report(long tokens, int cap) {
            boolean capped = errors.size() > cap;
            return new ValidationReport(format, rows, examples.size(), tokens,
                    capped ? errors.subList(0, cap) : errors, capped);
        }
    }
}
