package dev.finetune.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Training DoRA on the real tinystories checkpoint: on an NF4 base (QLoRA + DoRA), and exact resume. */
class DoraTrainingTest {

    static final List<PackedSequence> TRAIN = Fixtures.sequences(12, 24, 2048, 1);
    static final List<PackedSequence> EVAL = Fixtures.sequences(4, 24, 2048, 2);
    /** Dropout on, so that DoRA's dropout path (the base term recomputed from the dropped input) is trained. */
    static final LoraConfig DORA = LoraConfig.of(4, 8, 0.1, List.of("q_proj", "v_proj", "down_proj")).withDora(true);
    static final String MAGNITUDE = "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector";

    @TempDir
    Path tmp;

    static final int STEPS = 4;

    static TrainingConfig config() {
        return TrainingConfig.defaults().withBatch(2, 2).withMaxSteps(STEPS).withLearningRate(5e-3).withEval(0, 0);
    }

    @Test
    void qloraWithDoraLowersAFiniteLossTrainsTheMagnitudeAndResumesExactly() throws Exception {
        // given: an uninterrupted run
        List<float[]> uninterrupted;
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.of(Nf4Storage.DEFAULT));
             LoraAdapter dora = LoraAdapter.attach(model, DORA, 3);
             TrainingRun run = new TrainingRun(model, dora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            float[] magnitudeBefore = parameter(dora, MAGNITUDE).toFloatArray();
            List<Double> losses = run.run().lossHistory();
            assertThat(losses).hasSize(STEPS).allSatisfy(l -> assertThat(l).isFinite());
            assertThat(losses.get(STEPS - 1)).isLessThan(losses.get(0));
            assertThat(Fixtures.maxAbsDiff(parameter(dora, MAGNITUDE).toFloatArray(), magnitudeBefore))
                    .as("the magnitude is trained").isGreaterThan(1e-4f);
            uninterrupted = Fixtures.snapshot(dora.parameters());
        }
        // and a run stopped halfway with a checkpoint
        Path checkpoint = tmp.resolve("step-" + STEPS / 2);
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.of(Nf4Storage.DEFAULT));
             LoraAdapter dora = LoraAdapter.attach(model, DORA, 3);
             TrainingRun run = new TrainingRun(model, dora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            run.runSteps(STEPS / 2);
            run.saveCheckpoint(checkpoint);
        }
        try (SafetensorsFile saved = SafetensorsFile.open(checkpoint.resolve(TrainingCheckpoint.TRAINABLE));
             SafetensorsFile moments = SafetensorsFile.open(checkpoint.resolve(TrainingCheckpoint.OPTIMIZER))) {
            assertThat(saved.names()).contains(MAGNITUDE);
            assertThat(moments.names()).contains(MAGNITUDE + ".exp_avg", MAGNITUDE + ".exp_avg_sq");
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.of(Nf4Storage.DEFAULT));
             LoraAdapter dora = LoraAdapter.attach(model, DORA, 99);
             TrainingRun run = new TrainingRun(model, dora, new TrainingData(TRAIN, EVAL, 0), config(), null)) {
            // when: a fresh adapter with other initial weights resumes from it
            run.restore(checkpoint);
            run.run();

            // then
            List<NamedParameter> params = dora.parameters();
            List<float[]> resumed = Fixtures.snapshot(params);
            for (int i = 0; i < resumed.size(); i++) {
                assertThat(Fixtures.maxAbsDiff(resumed.get(i), uninterrupted.get(i))).as(params.get(i).name())
                        .isLessThanOrEqualTo(1e-6f);
            }
        }
    }

    /**
     * Writes {@code samples/adapters/tinystories-656k-dora-java}: a dense DoRA adapter this engine trained, which
     * {@code make_dora_fixture.py check} then loads in PEFT. Run by hand with {@code -Ddora.fixture.out=DIR}.
     */
    @Test
    @EnabledIfSystemProperty(named = "dora.fixture.out", matches = ".+")
    void writesTheJavaMadeFixtureWhenAskedTo() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter dora = LoraAdapter.attach(model, DORA, 11);
             TrainingRun run = new TrainingRun(model, dora, new TrainingData(TRAIN, EVAL, 0),
                     config().withMaxSteps(8).withLearningRate(3e-3), null)) {
            run.run();
            dora.save(Path.of(System.getProperty("dora.fixture.out")), BaseModelRef.of("tinystories-656k", model));
        }
    }

    private static ai.djl.ndarray.NDArray parameter(LoraAdapter adapter, String name) {
        return adapter.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().value();
    }
}
