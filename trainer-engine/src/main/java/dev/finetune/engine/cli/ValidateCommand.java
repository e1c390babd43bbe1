package dev.finetune.engine.cli;

import dev.finetune.data.DatasetReader;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.ValidationReport;
import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code finetune validate}: checks every record of a dataset and prints the report; exit 0 when all are usable. */
@Command(name = "validate", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Check a dataset without training: prints the format, row and token counts and every bad "
                + "record with its line and field. Exits 0 when every record is usable, 2 otherwise.")
final class ValidateCommand extends CliCommand {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Dataset: .jsonl, .json (array) or .txt.")
    Path data;
    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT", description = "chat, instruction, completion, sharegpt, text, or auto (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = "--prompt-field", paramLabel = "KEY", description = "JSON key holding the prompt of completion records.")
    String promptField;
    @Option(names = "--completion-field", paramLabel = "KEY", description = "JSON key holding the completion.")
    String completionField;
    @Option(names = "--model", paramLabel = "DIR", description = "Count tokens with this checkpoint's tokenizer (default: estimate characters / 4).")
    Path model;
    @Option(names = "--max-errors", defaultValue = "100", paramLabel = "N", description = "Most errors to list (default: ${DEFAULT-VALUE}).")
    int maxErrors;

    @Override
    FlagNames flagNames() {
        return FlagNames.VALIDATE;
    }

    @Override
    int execute() {
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data " + data + " does not exist or is not a file");
        }
        DatasetSpec spec = Parsers.dataset(format, promptField, completionField, Math.max(1, maxErrors));
        ValidationReport report;
        if (model != null) {
            try (TextTokenizer tokenizer = HfTokenizer.load(model)) {
                report = DatasetReader.validate(data, spec, tokenizer);
            }
        } else {
            report = DatasetReader.validate(data, spec, null);
        }
        out().println("file: " + data);
        out().println("format: " + (report.format() == null ? "unknown" : report.format().wireName()));
        out().printf("rows: %d (%d valid, %d invalid)%n", report.rows(), report.validRows(),
                report.rows() - report.validRows());
        out().printf(Locale.ROOT, "tokens: %,d (%s)%n", report.estimatedTokens(),
                model != null ? "counted with the tokenizer of " + model : "estimated as characters / 4");
        if (report.ok()) {
            out().println("errors: none");
            return OK;
        }
        out().println(report.rows() == 0 ? "errors: the file has no records" : "errors:");
        CliCommand.errorLines(report).forEach(l -> out().println("  " + l));
        if (report.errorsCapped()) {
            out().println("  ... more errors not listed (raise --max-errors)");
        }
        return USER_ERROR;
    }
}
