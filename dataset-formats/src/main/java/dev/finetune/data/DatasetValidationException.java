package dev.finetune.data;

/** A dataset has bad records; {@link #report()} lists them with their lines and fields. */
public class DatasetValidationException extends RuntimeException {

    private final transient ValidationReport report;

    public DatasetValidationException(String file, ValidationReport report) {
        super("invalid dataset " + file + "\n" + report.summary());
        this.report = report;
    }

    public ValidationReport report() {
        return report;
    }
}
