package dev.finetune.engine.train;

import dev.finetune.data.Batch;
import dev.finetune.data.BatchCollator;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.peft.TrainableAdapter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The training loop, readable top to bottom: for each optimizer step, accumulate gradients over
 * {@code gradient_accumulation_steps} micro-batches, stop on a NaN or infinite loss, clip the
 * global norm, apply AdamW at the scheduled learning rate, report progress, and evaluate with early
 * stopping: every {@code eval_every} steps when that is set, else at the end of every epoch (the
 * step whose micro-batches finish a pass over the training rows), and always after the last step.
 * Both cadences are functions of the step and data position only, so slices and resumes evaluate at
 * the same steps as an uninterrupted run.
 *
 * <p>{@link #runSteps(int)} runs a bounded slice and returns, so a caller (the CLI, a Spring Batch
 * tasklet) can checkpoint between slices; {@link #saveCheckpoint}/{@link #restore} make a resumed
 * run produce the same adapter as an uninterrupted one.
 */
public final class TrainingRun implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TrainingRun.class);

    private final LlamaModel model;
    private final TrainableAdapter adapter;
    private final TrainingData data;
    private final TrainingConfig config;
    private final TrainingListener listener;
    private final BatchOrder order;
    private final ForwardBackward passes;
    private final AdamW optimizer;
    private final List<NamedParameter> params;
    private final int totalSteps;
    private final int warmupSteps;
    private TrainingState state = new TrainingState();
    private long stepNanos;
    private int stepsInProcess;

    public TrainingRun(LlamaModel model, TrainableAdapter adapter, TrainingData data, TrainingConfig config,
                       TrainingListener listener) {
        this.model = model;
        this.adapter = adapter;
        this.data = data;
        this.config = config;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.order = new BatchOrder(data.train(), config.batchSize(), config.seed(), data.padId());
        this.passes = new ForwardBackward(model, config.blockRecompute(),
                adapter.parameters().stream().anyMatch(p -> p.name().contains("model.layers.0.")),
                adapter.parameters().stream().anyMatch(p -> !p.name().contains("lm_head")));
        this.optimizer = new AdamW(config);
        this.params = adapter.parameters();
        this.totalSteps = config.maxSteps() > 0 ? config.maxSteps()
                : (int) Math.ceil(config.epochs() * order.batchesPerEpoch() / config.gradientAccumulationSteps());
        this.warmupSteps = config.warmupFor(totalSteps);
        state.seed = config.seed();
        state.dataFingerprint = data.fingerprint();
    }

    public int totalSteps() {
        return totalSteps;
    }

    public int step() {
        return state.step;
    }

    /** Real tokens trained so far, over every slice and resume of this run. */
    public long trainedTokens() {
        return state.trainedTokens;
    }

    /**
     * Steps that were computed again after a non-finite gradient, over every slice and resume. Empty in a
     * run that repeats another exactly; see the engine README's "Reproducibility".
     */
    public List<Integer> recomputedSteps() {
        return List.copyOf(state.recomputedSteps);
    }

    public StopReason stopReason() {
        return state.stopReason;
    }

    public boolean finished() {
        return state.stopReason != StopReason.RUNNING;
    }

    /** Runs to the end (all steps or early stop). */
    public TrainingSummary run() {
        while (!finished()) {
            runSteps(Integer.MAX_VALUE);
        }
        return summary();
    }

    /** Runs at most {@code maxSteps} optimizer steps; returns whether the run is over. */
    public StopReason runSteps(int maxSteps) {
        if (state.step == 0 && state.initialEvalLoss == null && !data.eval().isEmpty()) {
            state.initialEvalLoss = evaluate().loss();
        }
        for (int i = 0; i < maxSteps && !finished(); i++) {
            oneStep();
        }
        return state.stopReason;
    }

    private void oneStep() {
        long start = System.nanoTime();
        double lr = config.learningRate() * LrSchedule.multiplier(config.schedule(), state.step, warmupSteps, totalSteps);
        adapter.setTraining(true);
        double[] lossAndTokens = accumulateGradients(lr);
        double gradNorm = GradientClipping.clip(params, config.maxGradNorm());
        if (!Double.isFinite(gradNorm)) {
            // Seen rarely on a heavily loaded machine with a finite loss and a NaN gradient in one block,
            // never reproduced in isolation (see the closing notes). The step is a pure function of
            // (weights, seed, position), so it is recomputed once; a real divergence fails again.
            List<String> bad = GradientClipping.nonFinite(params);
            log.warn("non-finite gradient at step {} in {}; recomputing the step once", state.step + 1, bad);
            params.forEach(p -> EngineRuntime.zeroGradient(p.value()));
            state.recomputedSteps.add(state.step + 1);
            lossAndTokens = accumulateGradients(lr);
            gradNorm = GradientClipping.clip(params, config.maxGradNorm());
        }
        if (!Double.isFinite(gradNorm)) {
            List<String> bad = GradientClipping.nonFinite(params);
            throw new TrainingDivergedException(state.step + 1, "the gradient norm became " + gradNorm + " (non-finite in "
                    + bad.size() + " of " + params.size() + " tensors, e.g. " + bad.stream().limit(3).toList() + ")", lr);
        }
        double lossSum = lossAndTokens[0];
        long tokens = (long) lossAndTokens[1];
        int accumulation = config.gradientAccumulationSteps();
        optimizer.step(params, lr);
        adapter.setTraining(false);

        long epochBefore = state.microBatch / order.batchesPerEpoch();
        state.microBatch += accumulation;
        boolean epochEnded = state.microBatch / order.batchesPerEpoch() > epochBefore;
        state.step++;
        state.trainedTokens += tokens;
        double loss = lossSum / accumulation;
        state.lossHistory.add(loss);
        if (state.step >= totalSteps) {
            state.stopReason = StopReason.COMPLETED;
        }
        Double evalLoss = null;
        boolean evalNow = !data.eval().isEmpty() && (finished()
                || (config.evalEvery() > 0 ? state.step % config.evalEvery() == 0 : epochEnded));
        long elapsed = System.nanoTime() - start;
        stepNanos += elapsed;
        if (evalNow) {
            evalLoss = evaluateAndTrack().loss();
        }
        double tokensPerSecond = tokens / (elapsed / 1e9);
        stepsInProcess++;
        Duration eta = Duration.ofNanos(stepNanos / stepsInProcess * (totalSteps - state.step));
        listener.onStep(new TrainingProgress(state.step, totalSteps, order.epochOf(state.microBatch), loss, evalLoss, lr,
                gradNorm, tokensPerSecond, state.trainedTokens, finished() ? Duration.ZERO : eta));
    }

    private EvalResult evaluateAndTrack() {
        EvalResult result = evaluate();
        state.evalHistory.add(result);
        if (result.loss() < state.bestEvalLoss - config.earlyStoppingMinDelta()) {
            state.bestEvalLoss = result.loss();
            state.evalsWithoutImprovement = 0;
        } else {
            state.evalsWithoutImprovement++;
            if (config.earlyStoppingPatience() > 0 && state.evalsWithoutImprovement >= config.earlyStoppingPatience()
                    && !finished()) {
                state.stopReason = StopReason.EARLY_STOPPED;
            }
        }
        listener.onEval(result);
        return result;
    }

    /** Forward and backward of this step's micro-batches; returns {sum of their losses, real tokens}. */
    private double[] accumulateGradients(double lr) {
        double lossSum = 0;
        long tokens = 0;
        int accumulation = config.gradientAccumulationSteps();
        for (int micro = 0; micro < accumulation; micro++) {
            Batch batch = order.batch(state.microBatch + micro);
            float loss = passes.run(batch, accumulation, new long[] {config.seed(), state.step, micro});
            if (!Float.isFinite(loss)) {
                throw new TrainingDivergedException(state.step + 1, "the training loss became " + loss, lr);
            }
            lossSum += loss;
            tokens += batch.realTokens();
        }
        return new double[] {lossSum, tokens};
    }

    /** Token-weighted eval loss over the whole eval split (dropout off). */
    public EvalResult evaluate() {
        adapter.setTraining(false);
        double nll = 0;
        int tokens = 0;
        List<PackedSequence> eval = data.eval();
        for (int i = 0; i < eval.size(); i += config.batchSize()) {
            Batch batch = BatchCollator.collate(eval.subList(i, Math.min(eval.size(), i + config.batchSize())), data.padId());
            ForwardBackward.EvalSums sums = passes.evaluate(batch);
            nll += sums.nllSum();
            tokens += sums.tokens();
        }
        return EvalResult.of(state.step, nll, tokens);
    }

    public void saveCheckpoint(Path dir) {
        TrainingCheckpoint.write(dir, state, params, optimizer);
    }

    /** Continues from a checkpoint written by {@link #saveCheckpoint} with the same configuration and data. */
    public void restore(Path dir) {
        TrainingState restored = TrainingCheckpoint.read(dir, params, optimizer, model.manager());
        if (restored.dataFingerprint != data.fingerprint()) {
            throw new IllegalArgumentException("checkpoint " + dir + " was made with different training data: "
                    + "resuming on other data would not continue the same run");
        }
        if (restored.seed != config.seed()) {
            throw new IllegalArgumentException("checkpoint " + dir + " was made with seed " + restored.seed
                    + ", this run has seed " + config.seed());
        }
        state = restored;
    }

    /**
     * Starts this (not yet started) run from another run's checkpoint: the adapter weights, and the
     * optimizer state when both runs train the same tensors; see {@link TrainingCheckpoint#startFrom}.
     * Unlike {@link #restore}, the step, data position, seed and histories stay this run's own, and the
     * data may differ.
     */
    public TrainingCheckpoint.Continuation startFrom(Path dir) {
        if (state.step != 0 || state.initialEvalLoss != null) {
            throw new IllegalStateException("a run can start from another run's checkpoint only before its first step");
        }
        return TrainingCheckpoint.startFrom(dir, params, optimizer, model.manager());
    }

    public TrainingSummary summary() {
        List<Double> losses = List.copyOf(state.lossHistory);
        List<EvalResult> evals = List.copyOf(state.evalHistory);
        return new TrainingSummary(state.step, state.stopReason, losses.isEmpty() ? Double.NaN : losses.get(0),
                losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1), state.initialEvalLoss,
                evals.isEmpty() ? null : evals.get(evals.size() - 1),
                Double.isInfinite(state.bestEvalLoss) ? null : state.bestEvalLoss, state.trainedTokens, losses, evals);
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
