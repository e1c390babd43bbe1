package dev.finetune.worker.workspace;

import dev.finetune.worker.lease.ActiveJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.engine.recipe.FineTuneSession;
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
    private final Path dir;
    private final ActiveJob active;
    private final List<TrainingProgress> pending = new ArrayList<>();
    private FineTuneSession session;

    JobSession(FineTuningJob job, BaseModel baseModel, SegmentName segment, String trainingSha256, Path dir,
            ActiveJob active) {
        this.job = job;
        this.baseModel = baseModel;
        this.segment = segment;
        this.trainingSha256 = trainingSha256;
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
