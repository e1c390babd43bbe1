package dev.finetune.worker.workspace;

import dev.finetune.worker.batch.JobRejectedException;
import dev.finetune.worker.lease.ActiveJob;
import dev.finetune.worker.progress.ProgressLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.dataset.ValidationStatus;
import dev.finetune.core.job.CheckpointRef;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.progress.EventLevel;
import dev.finetune.core.progress.JobCheckpoint;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.data.DatasetReader;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.ValidationReport;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.engine.recipe.PreparedData;
import dev.finetune.engine.train.TrainingCheckpoint;
import dev.finetune.worker.WorkerProperties;
import org.apache.commons.codec.digest.DigestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns the active job into an open engine session on local files, cheapest checks first: the job,
 * base model and dataset rows; the model's config.json against the hyperparameters; the dataset
 * file, validated line by line and checked against its sha256; only then the model weights (cached
 * per base model) and the session. A job that took over from a dead worker, or that restarts after
 * a graceful stop, then resumes from its latest checkpoint in object storage: every Spring Batch
 * step calls {@link #open}, so a restarted job re-prepares whatever this process does not have.
 */
@Component
public class TrainingWorkspace {

    private static final Logger log = LoggerFactory.getLogger(TrainingWorkspace.class);
    private static final String COMPLETE = ".complete";

    private final WorkerProperties properties;
    private final FineTuningJobRepository jobs;
    private final BaseModelRepository models;
    private final DatasetRepository datasets;
    private final SegmentRepository segments;
    private final JobCheckpointRepository checkpoints;
    private final ObjectTransfer transfer;
    private final ProgressLog progress;
    private final TransactionTemplate readOnly;
    private JobSession current;

    TrainingWorkspace(WorkerProperties properties, FineTuningJobRepository jobs, BaseModelRepository models,
            DatasetRepository datasets, SegmentRepository segments, JobCheckpointRepository checkpoints,
            ObjectTransfer transfer, ProgressLog progress, PlatformTransactionManager transactions) {
        this.properties = properties;
        this.jobs = jobs;
        this.models = models;
        this.datasets = datasets;
        this.segments = segments;
        this.checkpoints = checkpoints;
        this.transfer = transfer;
        this.progress = progress;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.readOnly.setPropagationBehavior(TransactionTemplate.PROPAGATION_REQUIRES_NEW);
    }

    /** The open session of the active job, preparing it first if this process has none. */
    public synchronized JobSession open(ActiveJob active) {
        if (current != null && current.job().id().equals(active.jobId())) {
            return current;
        }
        close();
        Rows rows = readOnly.execute(s -> load(active));
        Path dir = properties.workDir().resolve("jobs").resolve(active.jobId().toString());
        deleteRecursively(dir);
        JobSession session = new JobSession(rows.job(), rows.model(), rows.segment(), rows.dataset(), rows.validation(),
                dir, active);
        try {
            prepare(session, rows, active);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        current = session;
        return session;
    }

    /** Closes the session and deletes the job's local files (the model cache stays). */
    public synchronized void close() {
        if (current != null) {
            current.close();
            deleteRecursively(current.dir());
            current = null;
        }
    }

    private Rows load(ActiveJob active) {
        FineTuningJob job = jobs.find(active.jobId())
                .orElseThrow(() -> new IllegalStateException("job " + active.jobId() + " vanished"));
        BaseModel model = models.findVisible(job.tenantId(), job.baseModelId())
                .orElseThrow(() -> new JobRejectedException("model_not_found", "base model " + job.baseModelId()
                        + " does not exist or is not visible to this tenant", "model"));
        Dataset dataset = datasets.find(job.tenantId(), job.trainingDatasetId())
                .orElseThrow(() -> new JobRejectedException("training_file_not_found", "training file "
                        + job.trainingDatasetId() + " does not exist (was it deleted?)", "training_file"));
        if (dataset.validationStatus() == ValidationStatus.INVALID) {
            throw new JobRejectedException("invalid_training_file", "training file " + dataset.id()
                    + " failed validation: " + dataset.validationErrors(), "training_file");
        }
        Dataset validation = job.validationDatasetId().map(id -> datasets.find(job.tenantId(), id)
                .orElseThrow(() -> new JobRejectedException("validation_file_not_found", "validation file " + id
                        + " does not exist (was it deleted?)", "validation_file"))).orElse(null);
        if (validation != null && validation.validationStatus() == ValidationStatus.INVALID) {
            throw new JobRejectedException("invalid_validation_file", "validation file " + validation.id()
                    + " failed validation: " + validation.validationErrors(), "validation_file");
        }
        SegmentName segment = segments.find(job.tenantId(), job.segmentId()).map(Segment::name)
                .orElseThrow(() -> new IllegalStateException("segment " + job.segmentId() + " of job " + job.id() + " vanished"));
        JobCheckpoint parent = job.fromCheckpoint().map(ref -> parentCheckpoint(job, ref)).orElse(null);
        return new Rows(job, model, dataset, validation, segment, parent);
    }

    /**
     * The checkpoint a job starts from: a recorded checkpoint of another job of the same tenant. The
     * API checked this at submit (and the table's foreign key is tenant-bound); checked again here so a
     * job never loads weights it may not see, whoever queued it.
     */
    private JobCheckpoint parentCheckpoint(FineTuningJob job, CheckpointRef ref) {
        String id = ref.job() + ":step-" + ref.step();
        FineTuningJob parent = jobs.find(ref.job()).filter(p -> p.tenantId().equals(job.tenantId()))
                .orElseThrow(() -> new JobRejectedException("checkpoint_not_found", "checkpoint " + id
                        + " does not exist", "from_checkpoint"));
        if (parent.method() != job.method() || !parent.baseModelId().equals(job.baseModelId())) {
            throw new JobRejectedException("invalid_hyperparameter", "checkpoint " + id + " was trained with "
                    + parent.method().wireName() + " on base model " + parent.baseModelId()
                    + "; a job started from it must use the same model and method", "from_checkpoint");
        }
        return checkpoints.findByIdJobIdOrderByIdStepAsc(parent.id().value()).stream()
                .filter(c -> c.step() == ref.step()).findFirst()
                .orElseThrow(() -> new JobRejectedException("checkpoint_not_found", "checkpoint " + id
                        + " does not exist (its job has no checkpoint at that step)", "from_checkpoint"));
    }

    private void prepare(JobSession session, Rows rows, ActiveJob active) {
        Path modelDir = properties.workDir().resolve("models").resolve(rows.model().id().value().toString());
        Path configJson = session.dir().resolve("model-config.json");
        transfer.download(prefix(rows.model()) + HfCheckpoint.CONFIG, configJson);
        JobSpecs.checkAgainstModel(rows.job(), LlamaConfig.load(configJson));

        Path dataFile = session.dir().resolve("data").resolve(fileName(rows.dataset().objectKey()));
        DatasetSpec datasetSpec = DatasetSpec.of(rows.dataset().format());
        download(rows.dataset(), dataFile, datasetSpec, "training_file");
        Path evalFile = null;
        DatasetSpec evalSpec = null;
        if (rows.validation() != null) {
            evalFile = session.dir().resolve("eval").resolve(fileName(rows.validation().objectKey()));
            evalSpec = DatasetSpec.of(rows.validation().format());
            download(rows.validation(), evalFile, evalSpec, "validation_file");
        }
        FineTuneSpec spec = JobSpecs.spec(rows.job(), rows.model().name(), modelDir, dataFile, datasetSpec,
                evalFile, evalSpec, properties.device(), properties.evalFraction());

        downloadModel(rows.model(), modelDir);
        session.attach(FineTuneSession.open(spec));
        FineTuneSession engine = session.engine();
        log.info("prepared {}", engine.dataStats().describe());
        progress.event(active.jobId(), EventLevel.INFO, "Prepared the training data: " + engine.dataStats().describe(),
                Map.of("attempt", active.attempt(), "worker", active.worker().value(),
                        "total_steps", engine.run().totalSteps()));
        progress.event(active.jobId(), EventLevel.INFO, evalSetLine(session, engine),
                evalSetData(session, engine.prepared().evalSet()));
        java.util.Optional<JobCheckpoint> own = checkpoints.latest(active.jobId());
        if (own.isPresent()) {
            resume(session, own.get(), active);
        } else if (rows.parent() != null) {
            startFrom(session, rows.parent(), active);
        }
    }

    /** Downloads a dataset, validates every record and checks it against the sha256 recorded at upload. */
    private void download(Dataset dataset, Path file, DatasetSpec format, String param) {
        transfer.download(dataset.objectKey(), file);
        ValidationReport report = DatasetReader.validate(file, format, null);
        if (!report.ok() && param.equals("training_file")) {
            throw new DatasetValidationException(param + " " + dataset.id(), report);
        }
        if (!report.ok()) {
            throw new JobRejectedException("invalid_" + param, dev.finetune.worker.batch.Failures.describe(report,
                    param.replace('_', ' ')), param);
        }
        String sha = sha256(file);
        if (!sha.equals(dataset.sha256())) {
            throw new JobRejectedException(param + "_changed", param.replace('_', ' ') + " " + dataset.id()
                    + " in object storage no longer matches the sha256 recorded at upload (" + dataset.sha256()
                    + ", found " + sha + "); upload it again", param);
        }
    }

    private static String evalSetLine(JobSession session, FineTuneSession engine) {
        PreparedData.EvalSet e = engine.prepared().evalSet();
        return switch (e.source()) {
            case EVAL_FILE -> "Eval set: every example of validation_file '" + session.validationFile().orElseThrow().name()
                    + "' (" + e.examples() + " examples)";
            case HELD_OUT -> String.format(java.util.Locale.ROOT, "Eval set: %d examples (%s%%) held out of training_file "
                    + "'%s', chosen by the file's sha256, so every job on this file evaluates on them", e.examples(),
                    new java.math.BigDecimal(String.valueOf(e.fraction() * 100)).stripTrailingZeros().toPlainString(),
                    session.trainingFile().name());
            case NONE -> "No eval set: finetune.worker.eval-fraction is 0 or the training file is too small to hold "
                    + "examples out, and the job has no validation_file";
        };
    }

    private static Map<String, Object> evalSetData(JobSession session, PreparedData.EvalSet e) {
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("source", switch (e.source()) {
            case EVAL_FILE -> FineTuningSucceeded.EvalSet.VALIDATION_FILE;
            case HELD_OUT -> FineTuningSucceeded.EvalSet.HELD_OUT;
            case NONE -> "none";
        });
        data.put("examples", e.examples());
        data.put("fraction", e.fraction());
        evalSet(session, e).ifPresent(set -> {
            data.put("dataset_id", set.datasetId().toString());
            data.put("dataset_name", set.datasetName());
            data.put("eval_set_sha256", set.sha256());
        });
        return data;
    }

    /** The job's eval set in the completion contract's terms; empty without evaluation. */
    public static java.util.Optional<FineTuningSucceeded.EvalSet> evalSet(JobSession session, PreparedData.EvalSet e) {
        Dataset from = switch (e.source()) {
            case EVAL_FILE -> session.validationFile().orElseThrow();
            case HELD_OUT -> session.trainingFile();
            case NONE -> null;
        };
        if (from == null) {
            return java.util.Optional.empty();
        }
        if (!from.sha256().equals(e.fileSha256())) {
            throw new IllegalStateException("the engine evaluated on a file with sha256 " + e.fileSha256()
                    + ", dataset " + from.id() + " has " + from.sha256());
        }
        return java.util.Optional.of(new FineTuningSucceeded.EvalSet(
                e.source() == PreparedData.EvalSource.EVAL_FILE ? FineTuningSucceeded.EvalSet.VALIDATION_FILE
                        : FineTuningSucceeded.EvalSet.HELD_OUT,
                from.id().value(), from.name(), from.sha256(), e.fraction(), e.tokenizerSha256(), e.maxSeqLen(),
                e.trainOnInputs(), e.examples()));
    }

    /** A job's first start from another job's checkpoint: its adapter weights, and its optimizer state when allowed. */
    private void startFrom(JobSession session, JobCheckpoint parent, ActiveJob active) {
        Path dir = session.dir().resolve("parent").resolve("step-" + parent.step());
        int files = transfer.downloadPrefix(parent.objectKey(), dir);
        if (files == 0) {
            throw new JobRejectedException("checkpoint_not_found", "checkpoint " + parent.jobId() + ":step-"
                    + parent.step() + " is recorded but its files are gone", "from_checkpoint");
        }
        TrainingCheckpoint.Continuation c;
        try {
            c = session.engine().startFrom(dir);
        } catch (IllegalArgumentException e) {
            throw new JobRejectedException("invalid_hyperparameter", "cannot start from checkpoint " + parent.jobId()
                    + ":step-" + parent.step() + ": " + e.getMessage(), "from_checkpoint");
        }
        session.startedFrom(c);
        deleteRecursively(dir);
        String what = c.optimizerRestored() ? "its adapter weights and optimizer state"
                : "its adapter weights (" + c.loaded().size() + " of " + (c.loaded().size() + c.fresh().size())
                        + " tensors) with a fresh optimizer, because the two jobs do not train the same tensors";
        log.info("started from checkpoint {}:step-{} ({})", parent.jobId(), parent.step(), what);
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("from_checkpoint", parent.jobId() + ":step-" + parent.step());
        data.put("parent_job", parent.jobId().toString());
        data.put("parent_step", parent.step());
        data.put("optimizer_restored", c.optimizerRestored());
        data.put("tensors_loaded", c.loaded().size());
        data.put("tensors_fresh", c.fresh().size());
        progress.event(active.jobId(), EventLevel.INFO, "Started from checkpoint " + parent.jobId() + ":step-"
                + parent.step() + ": " + what, data);
    }

    private void resume(JobSession session, JobCheckpoint checkpoint, ActiveJob active) {
        Path dir = session.dir().resolve("resume").resolve("step-" + checkpoint.step());
        int files = transfer.downloadPrefix(checkpoint.objectKey(), dir);
        if (files == 0) {
            throw new IllegalStateException("checkpoint " + checkpoint.objectKey() + " is recorded but has no files");
        }
        session.engine().resumeFrom(dir);
        session.resumedFrom(checkpoint.step());
        log.info("resumed from checkpoint at step {} ({})", checkpoint.step(), checkpoint.objectKey());
        progress.event(active.jobId(), EventLevel.INFO, "Resumed from the checkpoint at step " + checkpoint.step(),
                Map.of("step", checkpoint.step(), "checkpoint", checkpoint.objectKey(), "attempt", active.attempt(),
                        "worker", active.worker().value()));
    }

    /**
     * The local copy of a base model the tenant may use (downloaded once per worker), for work other
     * than a training job's (on-demand task evaluations).
     */
    public Path baseModel(dev.finetune.core.tenant.TenantId tenant, dev.finetune.core.model.BaseModelId id) {
        BaseModel model = readOnly.execute(s -> models.findVisible(tenant, id)).orElseThrow(() ->
                new JobRejectedException("model_not_found", "base model " + id + " does not exist or is not visible", "model"));
        Path dir = properties.workDir().resolve("models").resolve(model.id().value().toString());
        downloadModel(model, dir);
        return dir;
    }

    /** Downloads the base model once per worker; a directory without the marker is incomplete and redone. */
    private void downloadModel(BaseModel model, Path dir) {
        if (Files.exists(dir.resolve(COMPLETE))) {
            return;
        }
        deleteRecursively(dir);
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        deleteRecursively(partial);
        int files = transfer.downloadPrefix(prefix(model), partial);
        if (files == 0) {
            throw new JobRejectedException("model_not_found", "base model '" + model.name()
                    + "' has no files in object storage under " + model.objectPrefix(), "model");
        }
        try {
            Files.createFile(partial.resolve(COMPLETE));
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + partial + " to " + dir, e);
        }
        log.info("downloaded base model {} ({} files)", model.name(), files);
    }

    private static String prefix(BaseModel model) {
        String prefix = model.objectPrefix();
        return prefix.endsWith("/") ? prefix : prefix + "/";
    }

    private static String fileName(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return name.isEmpty() ? "dataset" : name;
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.getMessage());
        }
    }

    private record Rows(FineTuningJob job, BaseModel model, Dataset dataset, Dataset validation, SegmentName segment,
            JobCheckpoint parent) {
    }
}
