package dev.finetune.worker.workspace;

import dev.finetune.worker.lease.ActiveJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.engine.recipe.FineTuneSession;
import dev.finetune.engine.train.TrainingCheckpoint;
import dev.finetune.engine.train.TrainingListener;
import dev.finetune.engine.train.TrainingProgress;

/**
 * An open engine session for the active job, with the job, segment, base model and training
 * dataset it was built from and the progress of the steps run since the last slice was recorded.
 */
public final class JobSession implements TrainingListener, AutoCloseable {

    private final FineTuningJob job;
    private final BaseModel baseModel;
    private final SegmentName segment;
    private final String trainingSha256;
    private final Dataset trainingFile;
    private final Dataset validationFile;
    private TrainingCheckpoint.Continuation continuation;
    private final Path dir;
    private final ActiveJob active;
    private final List<TrainingProgress> pending = new ArrayList<>();
    private FineTuneSession session;

    JobSession(FineTuningJob job, BaseModel baseModel, SegmentName segment, Dataset trainingFile,
            Dataset validationFile, Path dir, ActiveJob active) {
        this.job = job;
        this.baseModel = baseModel;
        this.segment = segment;
        this.trainingFile = trainingFile;
        this.validationFile = validationFile;
        this.trainingSha256 = trainingFile.sha256();
        this.dir = dir;
        this.active = active;
    }

    void attach(FineTuneSession opened) {
        this.session = opened;
        opened.setListener(this);
        active.progress(opened.run().step(), opened.run().totalSteps(), 0);
    }

    @Override
    public void onStep(TrainingProgress progress) {
        pending.add(progress);
        active.progress(progress.step(), progress.totalSteps(), progress.tokensPerSecond());
    }

    /** The progress of the steps run since the last call. */
    public List<TrainingProgress> drainProgress() {
        List<TrainingProgress> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    public FineTuningJob job() {
        return job;
    }

    BaseModel baseModel() {
        return baseModel;
    }

    public SegmentName segment() {
        return segment;
    }

    /** sha256 of the training file, as checked against the upload's before training. */
    public String trainingSha256() {
        return trainingSha256;
    }

    /** The training file's row (id, name, sha256). */
    public Dataset trainingFile() {
        return trainingFile;
    }

    /** The validation file's row when the job has one: then it is the eval set. */
    public Optional<Dataset> validationFile() {
        return Optional.ofNullable(validationFile);
    }

    /**
     * What this job took from its {@code from_checkpoint} when it started from it; empty when it
     * started from the bare base model, and in a process that resumed the job from its own checkpoint
     * (the parent's weights are in those already; the lineage comes from the job row).
     */
    public Optional<TrainingCheckpoint.Continuation> continuation() {
        return Optional.ofNullable(continuation);
    }

    void startedFrom(TrainingCheckpoint.Continuation value) {
        this.continuation = value;
    }

    public FineTuneSession engine() {
        return session;
    }

    /** This job's local directory (data, checkpoints, adapter); deleted when the job ends. */
    public Path dir() {
        return dir;
    }

    void resumedFrom(int step) {
        active.progress(step, session.run().totalSteps(), 0);
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }
}
