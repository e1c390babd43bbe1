package dev.finetune.engine.recipe;

import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.AdapterKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.engine.bottleneck.AdapterHubFiles;
import dev.finetune.engine.bottleneck.BottleneckAdapter;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.EncoderOptions;
import dev.finetune.data.FieldMapping;
import dev.finetune.engine.lora.LoraAdapter;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.lora.LoraMethod;
import dev.finetune.engine.lora.PeftAdapterFiles;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import dev.finetune.engine.train.StopReason;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingProgress;
import dev.finetune.engine.train.TrainingSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three methods end to end on the bundled checkpoint and datasets, a few steps each. */
class FineTuneSessionTest {

    static final int[] PROMPT = {1, 403, 407, 261, 378, 14};

    @TempDir
    Path tmp;

    static TrainingConfig steps(int n, double lr) {
        return TrainingConfig.defaults().withMaxSteps(n).withLearningRate(lr).withBatch(4, 1).withEval(0, 0);
    }

    @Test
    void loraOnIdentityLowersTheEvalLossAndWritesAPeftDirectoryThatLoads() {
        FineTuneSpec spec = FineTuneSpec.builder(Samples.tinystories(), Samples.dataset("llamafactory_identity.json"),
                        FineTuningMethod.LORA)
                .lora(LoraConfig.of(8, 16, 0.05, List.of("all-linear"))).training(steps(15, 2e-3)).build();
        Path out = tmp.resolve("identity");
        List<TrainingProgress> seen = new ArrayList<>();
        float[] trained;
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            session.setListener(new dev.finetune.engine.train.TrainingListener() {
                @Override
                public void onStep(TrainingProgress p) {
                    seen.add(p);
                }
            });
            assertThat(session.dataStats().format()).isEqualTo(DatasetFormat.INSTRUCTION);
            assertThat(session.dataStats().rows()).isEqualTo(91);
            assertThat(session.dataStats().evalSequences()).isEqualTo(9);
            assertThat(session.runSlice(5)).isEqualTo(StopReason.RUNNING);
            TrainingSummary summary = session.runToEnd();
            assertThat(summary.steps()).isEqualTo(15);
            assertThat(summary.stopReason()).isEqualTo(StopReason.COMPLETED);
            assertThat(summary.finalEval().loss()).isLessThan(summary.initialEvalLoss());
            session.saveAdapter(out);
            trained = Fixtures.logits(session.model(), PROMPT);
        }
        assertThat(seen).hasSize(15);
        assertThat(out.resolve(PeftAdapterFiles.CONFIG)).exists();
        JsonNode report = AdapterJson.read(out.resolve(TrainingReport.FILE));
        assertThat(report.path("summary").path("steps").asInt()).isEqualTo(15);
        assertThat(report.path("hyperparameters").path("learning_rate").asDouble()).isEqualTo(2e-3);
        assertThat(report.path("base_model").asText()).isEqualTo("tinystories-656k");
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = PeftAdapterFiles.load(out, model)) {
            assertThat(lora.config().r()).isEqualTo(8);
            assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), trained)).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void qloraOnGsm8kWithAQuestionAnswerMappingTrainsAndSaves() throws IOException {
        Path subset = tmp.resolve("gsm8k_40.jsonl");
        Files.write(subset, Files.readAllLines(Samples.dataset("gsm8k_train_400.jsonl")).subList(0, 40));
        FineTuneSpec spec = FineTuneSpec.builder(Samples.tinystories(), subset, FineTuningMethod.QLORA)
                .dataset(DatasetSpec.of(null, FieldMapping.completion("question", "answer")))
                .lora(LoraConfig.of(8, 16, 0.0, List.of("all-linear")))
                .encoder(new EncoderOptions(512, false, true)).packing(true).training(steps(8, 2e-3)).build();
        Path out = tmp.resolve("gsm8k");
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            assertThat(session.model().options().weights()).isEqualTo(Nf4Storage.DEFAULT);
            assertThat(session.adapter().method()).isSameAs(LoraMethod.INSTANCE);
            assertThat(session.dataStats().format()).isEqualTo(DatasetFormat.COMPLETION);
            assertThat(session.dataStats().trainSequences()).as("packed").isLessThan(36);
            TrainingSummary summary = session.runToEnd();
            assertThat(summary.steps()).isEqualTo(8);
            assertThat(summary.finalLoss()).isFinite();
            assertThat(summary.finalEval().loss()).isLessThan(summary.initialEvalLoss());
            session.saveAdapter(out);
        }
        assertThat(AdapterJson.read(out.resolve(PeftAdapterFiles.CONFIG)).path("base_model_name_or_path").asText())
                .isEqualTo("tinystories-656k");
        // a QLoRA adapter applies to the full-precision base as well (same fingerprint)
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter lora = PeftAdapterFiles.load(out, model)) {
            assertThat(lora.layers()).hasSize(14);
        }
    }

    @Test
    void houlsbyAdapterOnShakespeareTrainsAndTheAdapterHubDirectoryReloadsToTheSameLogits() {
        FineTuneSpec spec = FineTuneSpec.builder(Samples.tinystories(), Samples.dataset("tinyshakespeare_120k.txt"),
                        FineTuningMethod.ADAPTER)
                .bottleneck(BottleneckConfig.houlsby().withReductionFactor(8))
                .encoder(new EncoderOptions(128, false, true)).evalFraction(0.02).training(steps(6, 1e-3)).build();
        Path out = tmp.resolve("shakespeare");
        float[] trained;
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            assertThat(session.dataStats().format()).isEqualTo(DatasetFormat.TEXT);
            assertThat(session.dataStats().rows()).isEqualTo(1);
            assertThat(session.dataStats().evalSequences()).as("chunks of one document are split").isPositive();
            TrainingSummary summary = session.runToEnd();
            assertThat(summary.finalEval().loss()).isLessThan(summary.initialEvalLoss());
            session.saveAdapter(out);
            assertThatThrownBy(() -> session.saveMerged(tmp.resolve("merged")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be folded");
            trained = Fixtures.logits(session.model(), PROMPT);
        }
        assertThat(out.resolve(AdapterHubFiles.WEIGHTS)).exists();
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             BottleneckAdapter adapter = AdapterHubFiles.load(out, model)) {
            assertThat(adapter.config().kind()).isEqualTo(AdapterKind.HOULSBY);
            assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), trained)).isLessThanOrEqualTo(1e-6f);
        }
    }

    @Test
    void resumingASessionFromACheckpointEndsAtTheSameAdapter() {
        FineTuneSpec spec = FineTuneSpec.builder(Samples.stories260k(), Samples.dataset("llamafactory_identity.json"),
                FineTuningMethod.LORA).training(steps(4, 1e-3)).build();
        Path checkpoint = tmp.resolve("step-2");
        List<float[]> uninterrupted;
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            session.runSlice(2);
            session.saveCheckpoint(checkpoint);
            session.runToEnd();
            uninterrupted = Fixtures.snapshot(session.adapter().parameters());
        }
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            session.resumeFrom(checkpoint);
            assertThat(session.run().step()).isEqualTo(2);
            session.runToEnd();
            List<float[]> resumed = Fixtures.snapshot(session.adapter().parameters());
            for (int i = 0; i < resumed.size(); i++) {
                assertThat(Fixtures.maxAbsDiff(resumed.get(i), uninterrupted.get(i))).isLessThanOrEqualTo(1e-6f);
            }
            assertThat(session.summary().lossHistory()).hasSize(4);
        }
    }

    @Test
    void loraOnTheOutputHeadAloneTrainsWithBlockRecomputation() {
        FineTuneSpec spec = FineTuneSpec.builder(Samples.stories260k(), Samples.dataset("llamafactory_identity.json"),
                FineTuningMethod.LORA).lora(LoraConfig.of(4, 8, 0.0, List.of("lm_head"))).training(steps(2, 1e-3)).build();
        try (FineTuneSession session = FineTuneSession.open(spec)) {
            assertThat(session.trainingConfig().blockRecompute()).isTrue();
            assertThat(session.runToEnd().steps()).isEqualTo(2);
        }
    }
}
