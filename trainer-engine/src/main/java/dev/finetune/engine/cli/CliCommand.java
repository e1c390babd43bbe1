package dev.finetune.engine.cli;

import dev.finetune.engine.checkpoint.CheckpointException;
import dev.finetune.data.ChatTemplateException;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.RecordError;
import dev.finetune.data.ValidationReport;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.data.tokenizer.TokenizerException;
import dev.finetune.engine.train.TrainingDivergedException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: output through picocli's writers (so tests and callers can capture
 * them) and one mapping from failures to exit codes. User errors (bad flags, bad data, missing or
 * unsuitable files) print one paragraph on stderr and exit {@value #USER_ERROR}; a diverged run
 * exits {@value #DIVERGED} with the trainer's advice; anything else is a bug and gets its stack trace.
 * A settings record's error names its field ({@code learning_rate}); it is printed with the flag
 * ({@code --learning-rate}) through the command's {@link FlagNames}. Flags picocli cannot parse are
 * reported by {@link UsageErrors}.
 */
abstract class CliCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int INTERNAL_ERROR = 1;
    static final int USER_ERROR = 2;
    static final int DIVERGED = 3;
    /** Dataset errors listed on stderr before "and N more". */
    static final int ERRORS_SHOWN = 20;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** How the fields of the settings this command builds are named on its command line. */
    abstract FlagNames flagNames();

    /** The command's work; throw for failures, return the exit code otherwise. */
    abstract int execute();

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (DatasetValidationException e) {
            err().println("error: " + datasetParagraph(e.getMessage().lines().findFirst().orElse("invalid dataset"),
                    e.report()));
            return USER_ERROR;
        } catch (TrainingDivergedException e) {
            err().println("error: training diverged: " + e.getMessage());
            return DIVERGED;
        } catch (IllegalArgumentException e) {
            // the settings records validate themselves and name their fields; say the flag instead
            err().println("error: " + flagNames().inFlagTerms(e.getMessage()));
            return USER_ERROR;
        } catch (CheckpointException | TokenizerException | AdapterLoadException | ChatTemplateException
                 | UncheckedIOException e) {
            err().println("error: " + e.getMessage());
            return USER_ERROR;
        } catch (RuntimeException e) {
            err().println("internal error (please report it with the trace below): " + e);
            e.printStackTrace(err());
            return INTERNAL_ERROR;
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** "invalid dataset F: 2 of 400 records are bad ..." followed by the first errors, one per line. */
    static String datasetParagraph(String head, ValidationReport report) {
        List<String> lines = errorLines(report);
        int bad = report.rows() - report.validRows();
        StringBuilder sb = new StringBuilder(head).append(": ");
        if (report.rows() == 0) {
            sb.append("the file has no records");
        } else {
            sb.append(Math.max(bad, 1)).append(" of ").append(report.rows()).append(" records are not usable as ")
                    .append(report.format() == null ? "any known format" : report.format().wireName())
                    .append(" data; fix them (or choose --format and field names) and run again. Nothing was trained.");
        }
        for (int i = 0; i < Math.min(ERRORS_SHOWN, lines.size()); i++) {
            sb.append("\n  ").append(lines.get(i));
        }
        if (lines.size() > ERRORS_SHOWN || report.errorsCapped()) {
            sb.append("\n  ... and more (run `validate --data FILE` for the full list)");
        }
        return sb.toString();
    }

    /** Each error as "line 3 [answer]: missing", or "record 4 ..." for JSON-array files. */
    static List<String> errorLines(ValidationReport report) {
        List<String> out = new ArrayList<>();
        for (RecordError e : report.errors()) {
            String field = e.field() == null ? "" : " [" + e.field() + "]";
            out.add(e.message().startsWith("record ") ? e.message() + field : "line " + e.line() + field + ": " + e.message());
        }
        return out;
    }
}
