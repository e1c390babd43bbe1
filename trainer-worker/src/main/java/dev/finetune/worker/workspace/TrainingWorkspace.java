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
import dev.finetune.core.job.FineTuningJob;
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
import dev.finetune.data.FieldMapping;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.ValidationReport;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.checkpoint.LlamaConfig;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.recipe.FineTuneSpec;
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
        JobSession session = new JobSession(rows.job(), rows.model(), rows.segment(), rows.dataset().sha256(), dir, active);
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
        SegmentName segment = segments.find(job.tenantId(), job.segmentId()).map(Segment::name)
                .orElseThrow(() -> new IllegalStateException("segment " + job.segmentId() + " of job " + job.id() + " vanished"));
        return new Rows(job, model, dataset, segment);
    }

    private void prepare(JobSession session, Rows rows, ActiveJob active) {
        Path modelDir = properties.workDir().resolve("models").resolve(rows.model().id().value().toString());
        Path configJson = session.dir().resolve("model-config.json");
        transfer.download(prefix(rows.model()) + HfCheckpoint.CONFIG, configJson);
        JobSpecs.checkAgainstModel(rows.job(), LlamaConfig.load(configJson));

        Path dataFile = session.dir().resolve("data").resolve(fileName(rows.dataset().objectKey()));
        transfer.download(rows.dataset().objectKey(), dataFile);
        // the dataset's stored field mapping, so the worker reads the records as the upload validated them
        DatasetSpec datasetSpec = DatasetSpec.of(rows.dataset().format(), FieldMapping.fromMap(rows.dataset().fieldMapping()));
        ValidationReport report = DatasetReader.validate(dataFile, datasetSpec, null);
        if (!report.ok()) {
            throw new DatasetValidationException("training_file " + rows.dataset().id(), report);
        }
        String sha = sha256(dataFile);
        if (!sha.equals(rows.dataset().sha256())) {
            throw new JobRejectedException("training_file_changed", "training file " + rows.dataset().id()
                    + " in object storage no longer matches the sha256 recorded at upload (" + rows.dataset().sha256()
                    + ", found " + sha + "); upload it again", "training_file");
        }
        if (rows.job().validationDatasetId().isPresent()) {
            progress.event(active.jobId(), EventLevel.WARN, "validation_file is not used yet: the eval loss is "
                    + "measured on " + Math.round(properties.evalFraction() * 100) + "% of the training file", null);
        }
        FineTuneSpec spec = JobSpecs.spec(rows.job(), rows.model().name(), modelDir, dataFile, datasetSpec,
                properties.device(), properties.evalFraction());

        downloadModel(rows.model(), modelDir);
        session.attach(FineTuneSession.open(spec));
        FineTuneSession engine = session.engine();
        log.info("prepared {}", engine.dataStats().describe());
        progress.event(active.jobId(), EventLevel.INFO, "Prepared the training data: " + engine.dataStats().describe(),
                Map.of("attempt", active.attempt(), "worker", active.worker().value(),
                        "total_steps", engine.run().totalSteps()));
        checkpoints.latest(active.jobId()).ifPresent(c -> resume(session, c, active));
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

    private record Rows(FineTuningJob job, BaseModel model, Dataset dataset, SegmentName segment) {
    }
}
