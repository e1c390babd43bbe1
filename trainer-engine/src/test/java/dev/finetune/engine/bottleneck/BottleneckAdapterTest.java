package dev.finetune.engine.bottleneck;

import dev.finetune.settings.AdapterKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.data.PackedSequence;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import dev.finetune.engine.train.TrainingConfig;
import dev.finetune.engine.train.TrainingData;
import dev.finetune.engine.train.TrainingRun;
import dev.finetune.engine.train.TrainingSummary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BottleneckAdapterTest {

    static final int[] PROMPT = {1, 80, 147, 201, 282, 57};

    @TempDir
    Path tmp;

    @Test
    void placesPfeifferAfterTheMlpOnlyAndHoulsbyAfterAttentionToo() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            try (BottleneckAdapter pfeiffer = BottleneckAdapter.attach(model, BottleneckConfig.pfeiffer(), 1)) {
                assertThat(pfeiffer.parameters()).hasSize(2 * 4);
                assertThat(pfeiffer.parameters().get(0).name()).isEqualTo("model.layers.0.output_adapters.adapters.finetune.adapter_down.0.weight");
                // hidden 128 / reduction factor 16 = a bottleneck of 8
                assertThat(pfeiffer.parameters().get(0).value().getShape().getShape()).containsExactly(8, 128);
            }
            try (BottleneckAdapter houlsby = BottleneckAdapter.attach(model, BottleneckConfig.houlsby(), 1)) {
                assertThat(houlsby.parameters()).hasSize(2 * 2 * 4);
                assertThat(houlsby.parameters()).anyMatch(p -> p.name().contains(".attention_adapters.adapters.finetune.adapter_up.bias"));
            }
        }
    }

    @Test
    void detachingRestoresTheBaseModelExactly() {
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            float[] base = Fixtures.logits(model, PROMPT);
            BottleneckAdapter adapter = BottleneckAdapter.attach(model, BottleneckConfig.houlsby(), 1);
            assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), base)).isGreaterThan(0f);
            adapter.close();
            assertThat(Fixtures.logits(model, PROMPT)).containsExactly(base);
        }
    }

    @Test
    void trainsAndSavesInAdapterHubLayoutThatReloadsToTheSameOutputs() throws Exception {
        List<PackedSequence> train = Fixtures.sequences(8, 24, 2048, 1);
        List<PackedSequence> eval = Fixtures.sequences(2, 24, 2048, 2);
        Path dir = tmp.resolve("adapter");
        float[] trained;
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             BottleneckAdapter adapter = BottleneckAdapter.attach(model, BottleneckConfig.houlsby().withReductionFactor(8), 4);
             TrainingRun run = new TrainingRun(model, adapter, new TrainingData(train, eval, 0),
                     TrainingConfig.defaults().withBatch(2, 1).withMaxSteps(8).withLearningRate(3e-3), null)) {
            TrainingSummary summary = run.run();
            assertThat(summary.finalEval().loss()).isLessThan(summary.initialEvalLoss());
            trained = Fixtures.logits(model, PROMPT);
            adapter.save(dir, BaseModelRef.of("tinystories-656k", model));
        }
        assertThat(AdapterMethods.detect(dir)).isSameAs(BottleneckMethod.INSTANCE);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(config.at("/config/mh_adapter").asBoolean()).isTrue();
        assertThat(config.at("/config/reduction_factor").asInt()).isEqualTo(8);
        assertThat(config.at("/config/non_linearity").asText()).isEqualTo("swish");
        assertThat(config.get("hidden_size").asInt()).isEqualTo(128);
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("adapter.safetensors"))) {
            assertThat(weights.names()).hasSize(2 * 2 * 4);
        }
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             BottleneckAdapter loaded = AdapterHubFiles.load(dir, model)) {
            assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), trained)).isLessThan(1e-6f);
            assertThat(loaded.config().kind()).isEqualTo(AdapterKind.HOULSBY);
        }
        try (NDManager m = EngineRuntime.newManager("cpu");
             LlamaModel other = Fixtures.load(Samples.stories260k(), m, ModelOptions.dense())) {
            assertThatThrownBy(() -> AdapterHubFiles.load(dir, other)).hasMessageContaining("hidden_size 128");
        }
    }

    @Test
    void rejectsBadSettingsNamingTheField() {
        assertThatThrownBy(() -> new BottleneckConfig(AdapterKind.PFEIFFER, 0, "relu", 1, "x"))
                .hasMessageContaining("reduction_factor");
        assertThatThrownBy(() -> new BottleneckConfig(AdapterKind.PFEIFFER, 16, "softplus", 1, "x"))
                .hasMessageContaining("non_linearity");
        assertThatThrownBy(() -> AdapterKind.fromWire("lora")).hasMessageContaining("[pfeiffer, houlsby]");
        assertThatThrownBy(() -> BottleneckConfig.pfeiffer().withReductionFactor(512).bottleneckSize(128))
                .hasMessageContaining("larger than hidden_size");
    }
}
