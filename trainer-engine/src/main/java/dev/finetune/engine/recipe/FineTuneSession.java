package dev.finetune.engine.recipe;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.TrainableAdapter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.train.EvalResult;
import dev.finetune.engine.train.StopReason;
import dev.finetune.engine.train.TrainingCheckpoint;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingListener;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.engine.train.TrainingRun;
import dev.finetune.engine.train.TrainingSummary;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One fine-tune from files, ready to run in slices: {@link #open} loads the tokenizer, prepares the
 * data (failing on a bad dataset before any model is loaded), loads the base model (NF4 for QLoRA,
 * float16 compute on a GPU), attaches the adapter seeded from the training seed and creates the
 * {@link TrainingRun}.
 *
 * <p>Callers drive it: {@link #runSlice(int)} runs a bounded number of optimizer steps and returns,
 * so a CLI or a Spring Batch tasklet can checkpoint between slices ({@link #saveCheckpoint}), and a
 * new session on the same spec continues exactly with {@link #resumeFrom}. Nothing here prints or
 * exits; progress goes to the {@link TrainingListener}. The session owns the native resources and
 * frees them on {@link #close()}.
 */
public final class FineTuneSession implements AutoCloseable {

    private final FineTuneSpec spec;
    private final PreparedData prepared;
    private final TextTokenizer tokenizer;
    private final NDManager manager;
    private final LlamaModel model;
    private final TrainableAdapter adapter;
    private final TrainingConfig training;
    private final TrainingRun run;
    private volatile TrainingListener listener;
    private long trainingNanos;

    private FineTuneSession(FineTuneSpec spec, PreparedData prepared, TextTokenizer tokenizer, NDManager manager,
                            LlamaModel model, TrainableAdapter adapter, TrainingListener listener) {
        this.spec = spec;
        this.prepared = prepared;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.model = model;
        this.adapter = adapter;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.training = spec.training();
        this.run = new TrainingRun(model, adapter, prepared.data(), training, new TrainingListener() {
            @Override
            public void onStep(TrainingProgress progress) {
                FineTuneSession.this.listener.onStep(progress);
            }

            @Override
            public void onEval(EvalResult result) {
                FineTuneSession.this.listener.onEval(result);
            }
        });
    }

    /** Opens a session without a listener (set one with {@link #setListener}). */
    public static FineTuneSession open(FineTuneSpec spec) {
        return open(spec, TrainingListener.NONE);
    }

    /**
     * @throws dev.finetune.data.DatasetValidationException when a record is bad (before the model is loaded)
     * @throws IllegalArgumentException for missing files, nothing to train on, or settings the model cannot take
     */
    public static FineTuneSession open(FineTuneSpec spec, TrainingListener listener) {
        spec.checkFiles();
        EngineRuntime.init();
        TextTokenizer tokenizer = HfTokenizer.load(spec.modelDir());
        NDManager manager = null;
        LlamaModel model = null;
        TrainableAdapter adapter = null;
        try {
            PreparedData prepared = DataPreparation.prepare(spec, tokenizer);
            manager = EngineRuntime.newManager(spec.device());
            try (HfCheckpoint checkpoint = HfCheckpoint.open(spec.modelDir())) {
                model = ModelLoader.load(checkpoint, manager, modelOptions(spec));
            }
            long seed = spec.training().seed();
            adapter = AdapterMethods.of(spec.method()).method().attach(model, spec.methodConfig(), seed);
            return new FineTuneSession(spec, prepared, tokenizer, manager, model, adapter, listener);
        } catch (RuntimeException e) {
            closeAll(adapter, model, manager, tokenizer);
            throw e;
        }
    }

    /**
     * How the frozen base is held for a spec: its method's storage (NF4 for QLoRA, which also keeps a 16-bit
     * checkpoint's embedding and head in 16 bits), float16 compute on a GPU.
     */
    public static ModelOptions modelOptions(FineTuneSpec spec) {
        WeightStorage weights = AdapterMethods.of(spec.method()).baseWeights();
        ModelOptions options = ModelOptions.of(weights).withHalfEmbeddings(weights != WeightStorage.DENSE);
        return spec.onGpu() ? options.withComputeType(DataType.FLOAT16) : options;
    }

    /** The training settings in use. */
    public TrainingConfig trainingConfig() {
        return training;
    }

    /** Replaces the progress listener; takes effect from the next step. */
    public void setListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    public FineTuneSpec spec() {
        return spec;
    }

    /** Rows, sequences, truncation and token counts of the prepared dataset. */
    public PreparedData.Stats dataStats() {
        return prepared.stats();
    }

    public PreparedData prepared() {
        return prepared;
    }

    public LlamaModel model() {
        return model;
    }

    public TrainableAdapter adapter() {
        return adapter;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The training loop itself, for callers that want {@code evaluate()}, {@code step()} and the like. */
    public TrainingRun run() {
        return run;
    }

    /** Runs at most {@code steps} optimizer steps (the first slice also measures the initial eval loss). */
    public StopReason runSlice(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        long start = System.nanoTime();
        try {
            return run.runSteps(steps);
        } finally {
            trainingNanos += System.nanoTime() - start;
        }
    }

    /** Runs until the configured steps are done or early stopping ends the run. */
    public TrainingSummary runToEnd() {
        while (!run.finished()) {
            runSlice(Integer.MAX_VALUE);
        }
        return run.summary();
    }

    public boolean finished() {
        return run.finished();
    }

    /** Wall time spent in {@link #runSlice} by this session (not counting earlier sessions of a resumed run). */
    public Duration trainingTime() {
        return Duration.ofNanos(trainingNanos);
    }

    /** Writes a resumable checkpoint (trainable weights, optimizer moments, trainer state). */
    public void saveCheckpoint(Path dir) {
        run.saveCheckpoint(dir);
    }

    /** Continues from a checkpoint written by a session on the same spec and data. */
    public void resumeFrom(Path dir) {
        run.restore(dir);
    }

    /**
     * Starts from another run's checkpoint (a platform job's {@code from_checkpoint}): its adapter weights,
     * and its optimizer state when both runs train exactly the same tensors, else a fresh optimizer.
     */
    public TrainingCheckpoint.Continuation startFrom(Path dir) {
        return run.startFrom(dir);
    }

    public TrainingSummary summary() {
        return run.summary();
    }

    /** The base model's name and weight fingerprint, as recorded in the saved adapter. */
    public BaseModelRef baseModelRef() {
        return BaseModelRef.of(spec.baseModelName(), model);
    }

    /**
     * Writes the adapter in its method's layout (PEFT for lora/qlora, AdapterHub for adapter) and
     * {@code training_summary.json} with the summary, data stats and hyperparameters.
     */
    public void saveAdapter(Path outDir) {
        adapter.save(outDir, baseModelRef());
        TrainingReport.write(outDir.resolve(TrainingReport.FILE), this);
    }

    /**
     * Writes base + adapter folded into one Hugging Face checkpoint (with the tokenizer files).
     *
     * @throws IllegalStateException when the method cannot be merged (bottleneck adapters add layers)
     */
    public void saveMerged(Path outDir) {
        AdapterMethod method = adapter.method();
        if (!method.mergeable()) {
            throw new IllegalStateException("merging needs a " + AdapterMethods.mergeableNames() + " run: "
                    + method.mergeRefusal().orElseThrow() + ". Load the adapter at inference time instead");
        }
        method.writeMerged(adapter, outDir, spec.modelDir());
    }

    @Override
    public void close() {
        run.close();
        closeAll(adapter, model, manager, tokenizer);
    }

    private static void closeAll(TrainableAdapter adapter, LlamaModel model, NDManager manager, TextTokenizer tokenizer) {
        if (adapter != null) {
            adapter.close();
        }
        if (model != null) {
            model.close();
        }
        if (manager != null) {
            manager.close();
        }
        tokenizer.close();
    }
}
