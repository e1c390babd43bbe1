package dev.finetune.engine.train;

import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TrainingSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mechanics of the training loop on the real tinystories checkpoint. */
class TrainingRunTest {

    static final List<PackedSequence> TRAIN = Fixtures.sequences(12, 24, 2048, 1);
    static final List<PackedSequence> EVAL = Fixtures.sequences(4, 24, 2048, 2);
    static final LoraConfig LORA = LoraConfig.of(4, 8, 0.1, List.of("all-linear"));

    @TempDir
    Path tmp;

    static TrainingConfig config() {
        return TrainingConfig.defaults().withBatch(2, 2).withMaxSteps(6).withLearningRate(1e-3).withEval(0, 0);
    }

    @Test
    void blockRecomputationGivesTheSameLoraGradientsAsTheFullGraph() {
        List<float[]> full = gradients(false);
        List<float[]> recomputed = gradients(true);
        assertThat(full).hasSameSizeAs(recomputed);
        for (int i = 0; i < full.size(); i++) {
            float scale = 0;
            for (float v : full.get(i)) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("gradient %d is not trivially zero", i).isGreaterThan(0f);
            assertThat(Fixtures.maxAbsDiff(full.get(i), recomputed.get(i))).as("gradient %d", i).isLessThanOrEqualTo(1e-5f * scale);
        }
    }

    private List<float[]> gradients(boolean recompute) {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.of(Nf4Storage.DEFAULT))) {
            LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
            // B = 0 would make A's gradient zero: start from a point where every parameter gets a gradient
            lora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(), 0.02f));
            lora.setTraining(true);
            ForwardBackward passes = new ForwardBackward(model, recompute, true, true);
            passes.run(dev.finetune.data.BatchCollator.collate(TRAIN.subList(0, 3), 0), 1, new long[] {1, 2, 3});
            List<float[]> grads = new ArrayList<>();
            for (NamedParameter p : lora.parameters()) {
                grads.add(p.value().getGradient().toFloatArray());
            }
            return grads;
        }
    }

    @Test
    void resumingFromACheckpointGivesTheSameAdapterAsAnUninterruptedRun() {
        List<float[]> uninterrupted;
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.run();
            uninterrupted = Fixtures.snapshot(lora.parameters());
        }
        Path checkpoint = tmp.resolve("step-3");
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.runSteps(3);
            run.saveCheckpoint(checkpoint);
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 99);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.restore(checkpoint);
            assertThat(run.step()).isEqualTo(3);
            run.run();
            assertThat(run.step()).isEqualTo(6);
            List<float[]> resumed = Fixtures.snapshot(lora.parameters());
            for (int i = 0; i < resumed.size(); i++) {
                assertThat(Fixtures.maxAbsDiff(resumed.get(i), uninterrupted.get(i))).isLessThanOrEqualTo(1e-6f);
            }
            assertThat(run.summary().lossHistory()).hasSize(6);
        }
    }

    @Test
    void refusesToResumeOnDifferentData() {
        Path checkpoint = tmp.resolve("ckpt");
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.runSteps(1);
            run.saveCheckpoint(checkpoint);
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN.subList(0, 10), EVAL, 0), config(), null)) {
            assertThatThrownBy(() -> run.restore(checkpoint)).hasMessageContaining("different training data");
        }
    }

    @Test
    void stopsWithAnActionableReasonWhenTheLossDiverges() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3)) {
            // a corrupted weight (as an overflow would leave it) makes the loss NaN
            NamedParameter first = lora.parameters().get(0);
            float[] nan = new float[(int) first.value().size()];
            java.util.Arrays.fill(nan, Float.NaN);
            EngineRuntime.noGrad(() -> {
                first.value().set(nan);
                return null;
            });
            List<float[]> before = Fixtures.snapshot(lora.parameters());
            try (TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
                assertThatThrownBy(run::run).isInstanceOf(TrainingDivergedException.class)
                        .hasMessageContaining("Lower the learning rate").hasMessageContaining("NaN at step 1");
            }
            List<float[]> after = Fixtures.snapshot(lora.parameters());
            for (int i = 1; i < after.size(); i++) {
                assertThat(after.get(i)).as("no update was applied").containsExactly(before.get(i));
            }
        }
    }

    @Test
    void stopsEarlyWhenEvalLossStopsImprovingForPatienceEvaluations() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3)) {
            // a min delta no step can reach: only the first evaluation counts as an improvement
            TrainingConfig config = TrainingConfig.builder(TrainingSettings.builder().learningRate(1e-3)
                    .lrScheduler(LrScheduler.CONSTANT).warmupRatio(0).batchSize(2).nEpochs(1).maxSteps(20)
                    .evalEverySteps(1).earlyStoppingPatience(2).build())
                    .seed(1).earlyStoppingMinDelta(100).logEvery(1).build();
            List<TrainingProgress> seen = new ArrayList<>();
            try (TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config, new TrainingListener() {
                @Override
                public void onStep(TrainingProgress p) {
                    seen.add(p);
                }
            })) {
                TrainingSummary summary = run.run();
                assertThat(summary.stopReason()).isEqualTo(StopReason.EARLY_STOPPED);
                assertThat(summary.steps()).isEqualTo(3);
                assertThat(summary.evalHistory()).hasSize(3);
                assertThat(seen).hasSize(3).allSatisfy(p -> {
                    assertThat(p.evalLoss()).isNotNull();
                    assertThat(p.tokensPerSecond()).isPositive();
                    assertThat(p.learningRate()).isEqualTo(1e-3);
                });
                assertThat(seen.get(0).logLine()).startsWith("step 1/20 | epoch ");
            }
        }
    }

    @Test
    void evaluatesAtTheEndOfEveryEpochAndAfterTheLastStepWhenEvalEveryIsUnset() {
        // 12 rows in batches of 2 with 2 micro-batches per step: an epoch is 3 steps
        TrainingConfig config = config().withMaxSteps(7);
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config, null)) {
            run.runSteps(2);
            run.runSteps(4);
            run.runSteps(5);
            assertThat(run.summary().evalHistory()).extracting(EvalResult::step).containsExactly(3, 6, 7);
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config.withEval(2, 0), null)) {
            run.run();
            assertThat(run.summary().evalHistory()).as("eval_every_steps replaces the epoch cadence")
                    .extracting(EvalResult::step).containsExactly(2, 4, 6, 7);
        }
    }

    @Test
    void startsFromAnotherRunsCheckpointWithItsWeightsAndOptimizerStateAndItsEvalLoss() {
        Path checkpoint = tmp.resolve("parent-step-3");
        EvalResult parentEval;
        List<float[]> parentWeights;
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.runSteps(3);
            run.saveCheckpoint(checkpoint);
            parentEval = run.evaluate();
            parentWeights = Fixtures.snapshot(lora.parameters());
        }
        // another seed, other training data, the same eval rows
        TrainingConfig child = config().toBuilder().seed(77).build();
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 77);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN.subList(0, 8), EVAL, 0), child, null)) {
            TrainingCheckpoint.Continuation c = run.startFrom(checkpoint);
            assertThat(c.step()).isEqualTo(3);
            assertThat(c.optimizerRestored()).isTrue();
            assertThat(c.fresh()).isEmpty();
            assertThat(c.loaded()).hasSize(lora.parameters().size());
            List<float[]> started = Fixtures.snapshot(lora.parameters());
            for (int i = 0; i < started.size(); i++) {
                assertThat(started.get(i)).containsExactly(parentWeights.get(i));
            }
            run.runSteps(1);
            assertThat(run.summary().initialEvalLoss()).as("the new run's first eval loss is the parent checkpoint's")
                    .isEqualTo(parentEval.loss());
            assertThat(run.step()).as("counters are the new run's own").isEqualTo(1);
            assertThatThrownBy(() -> run.startFrom(checkpoint)).hasMessageContaining("before its first step");
        }
    }

    @Test
    void startsWithAFreshOptimizerWhenTheRunsTrainOtherTensorsAndRefusesAnotherRank() {
        Path checkpoint = tmp.resolve("parent");
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LORA, 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.runSteps(1);
            run.saveCheckpoint(checkpoint);
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(4, 8, 0.1, List.of("q_proj", "v_proj")), 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            TrainingCheckpoint.Continuation c = run.startFrom(checkpoint);
            assertThat(c.loaded()).hasSize(lora.parameters().size()).allMatch(n -> n.contains("q_proj") || n.contains("v_proj"));
            assertThat(c.optimizerRestored()).as("the parent also trained k, o and the MLP").isFalse();
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(8, 16, 0.1, List.of("all-linear")), 3);
             TrainingRun run = new TrainingRun(model, lora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            assertThatThrownBy(() -> run.startFrom(checkpoint)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another rank or method");
        }
    }
}
