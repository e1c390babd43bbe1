package dev.finetune.engine.cli;

import dev.finetune.settings.DatasetFormat;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.FieldMapping;
import java.util.Locale;

/**
 * The --format flag's value (the other choices are the shared settings' words, read with their own
 * {@code fromWire}), parsed with an error naming the flag and the value. It is parsed
 * inside the command (not by picocli converters) so a wrong value gets the same one-paragraph error
 * and exit code 2 as every other user error, without the usage text.
 */
final class Parsers {

    private Parsers() {}

    static DatasetFormat format(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return DatasetFormat.fromWire(value.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be one of chat, instruction, completion, sharegpt, text "
                    + "(or auto), got '" + value + "'");
        }
    }

    /** The dataset spec for --format and --prompt-field/--completion-field. */
    static DatasetSpec dataset(String format, String promptField, String completionField, int errorCap) {
        FieldMapping mapping = promptField == null && completionField == null ? FieldMapping.DEFAULT
                : FieldMapping.completion(promptField, completionField);
        return new DatasetSpec(format(format), mapping, errorCap);
    }
}
