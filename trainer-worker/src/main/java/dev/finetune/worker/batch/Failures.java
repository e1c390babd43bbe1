package dev.finetune.worker.batch;

import dev.finetune.worker.lease.LeaseLostException;
import java.util.List;
import java.util.stream.Collectors;

import dev.finetune.core.job.JobError;
import dev.finetune.core.storage.ArtifactNotFoundException;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.core.storage.StorageUnavailableException;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.RecordError;
import dev.finetune.data.ValidationReport;
import dev.finetune.engine.checkpoint.CheckpointException;
import dev.finetune.engine.train.TrainingDivergedException;

/**
 * What a person reads when a job failed: a stable code, a message that says what to change, and the
 * request field to blame when there is one. Messages never carry dataset content or class names.
 */
public final class Failures {

    /** At most this many bad records are listed in the message (the count says how many there were). */
    static final int LISTED_RECORDS = 10;

    private Failures() {
    }

    /** The first cause in the chain that is one of ours, else the outermost. */
    public static JobError describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            JobError known = known(t);
            if (known != null) {
                return known;
            }
        }
        return new JobError("internal_error", "the worker failed unexpectedly while running this job; retrying it "
                + "may help, and the worker's log for this job id has the details", null);
    }

    /** Whether the failure means only that this worker lost the job to another. */
    static boolean isLeaseLost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LeaseLostException) {
                return true;
            }
        }
        return false;
    }

    private static JobError known(Throwable t) {
        if (t instanceof JobRejectedException rejected) {
            return rejected.error();
        }
        if (t instanceof DatasetValidationException invalid) {
            return new JobError("invalid_training_file", describe(invalid.report()), "training_file");
        }
        if (t instanceof TrainingDivergedException diverged) {
            return new JobError("training_diverged", diverged.getMessage(), "learning_rate");
        }
        if (t instanceof ArtifactNotFoundException missing) {
            return new JobError("file_missing", "a file this job needs is missing from object storage: "
                    + missing.getMessage(), null);
        }
        if (t instanceof StorageUnavailableException down) {
            return new JobError("storage_unavailable", down.getMessage() + ". Check the object storage service (and "
                    + "finetune.worker.storage-retry.give-up-after) and resubmit the job; its checkpoints are kept", null);
        }
        if (t instanceof ArtifactStoreException store) {
            return new JobError("storage_unavailable", "object storage kept failing: " + store.getMessage()
                    + ". Check the storage service and resubmit the job", null);
        }
        if (t instanceof CheckpointException checkpoint) {
            return new JobError("invalid_base_model", "the base model cannot be loaded: " + checkpoint.getMessage(),
                    "model");
        }
        if (t instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
            // the engine's own validation: its messages name the setting and what to change
            return new JobError("invalid_job", invalid.getMessage(), null);
        }
        return null;
    }

    private static String describe(ValidationReport report) {
        return describe(report, "training file");
    }

    /** The report's bad records by line, as a job's error message says them; {@code file} names which file. */
    public static String describe(ValidationReport report, String file) {
        List<RecordError> errors = report.errors();
        String listed = errors.stream().limit(LISTED_RECORDS).map(RecordError::toString)
                .collect(Collectors.joining("; "));
        int bad = report.rows() - report.validRows();
        return "the " + file + " has " + (bad > 0 ? bad + " bad record(s) of " + report.rows() : "no usable record")
                + (listed.isEmpty() ? "" : ": " + listed)
                + (errors.size() > LISTED_RECORDS || report.errorsCapped() ? " (more not listed)" : "")
                + ". Fix these lines and upload the file again";
    }
}
