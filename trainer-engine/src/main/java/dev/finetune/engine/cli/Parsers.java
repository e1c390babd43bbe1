package dev.finetune.engine.cli;

import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.data.DatasetFormat;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.FieldMapping;
import dev.finetune.engine.train.LrScheduleType;
import java.util.Locale;

/**
 * Flag values that name choices, parsed with errors naming the flag and the value. They are parsed
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
            return DatasetFormat.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be one of chat, instruction, completion, sharegpt, text "
                    + "(or auto), got '" + value + "'");
        }
    }

    static LrScheduleType schedule(String value) {
        try {
            return LrScheduleType.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lr-scheduler must be one of constant, linear, cosine, got '" + value + "'");
        }
    }

    static BottleneckConfig.Kind adapterKind(String value) {
        try {
            return BottleneckConfig.Kind.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--adapter-kind must be pfeiffer or houlsby, got '" + value + "'");
        }
    }

    /** The dataset spec for --format and --prompt-field/--completion-field. */
    static DatasetSpec dataset(String format, String promptField, String completionField, int errorCap) {
        FieldMapping mapping = promptField == null && completionField == null ? FieldMapping.DEFAULT
                : FieldMapping.completion(promptField, completionField);
        return new DatasetSpec(format(format), mapping, errorCap);
    }
}
