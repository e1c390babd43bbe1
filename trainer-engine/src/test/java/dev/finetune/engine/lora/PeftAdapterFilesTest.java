package dev.finetune.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.engine.checkpoint.HostTensor;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.checkpoint.SafetensorsWriter;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdapterFilesTest {

    static final int[] PROMPT = {1, 80, 147, 201, 282, 57};

    @TempDir
    Path tmp;

    private Path trainedLookingAdapter(NDManager m, float[][] logitsOut) {
        try (LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(4, 8, 0.05, List.of("q_proj", "v_proj", "down_proj")), 5);
            lora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(), 0.05f));
            logitsOut[0] = Fixtures.logits(model, PROMPT);
            lora.save(tmp.resolve("adapter"), BaseModelRef.of("tinystories-656k", model));
        }
        return tmp.resolve("adapter");
    }

    @Test
    void writesPeftKeysAndTensorNamesAndLoadsBackToTheSameOutputs() throws Exception {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            float[][] expected = new float[1][];
            Path dir = trainedLookingAdapter(m, expected);
            JsonNode config = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
            assertThat(config.get("peft_type").asText()).isEqualTo("LORA");
            assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
            assertThat(config.get("r").asInt()).isEqualTo(4);
            assertThat(config.get("lora_alpha").asInt()).isEqualTo(8);
            assertThat(config.get("bias").asText()).isEqualTo("none");
            assertThat(config.get("base_model_name_or_path").asText()).isEqualTo("tinystories-656k");
            assertThat(config.get("target_modules")).extracting(JsonNode::asText).containsExactly("down_proj", "q_proj", "v_proj");
            try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
                assertThat(weights.names()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                        "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").hasSize(2 * 3 * 2);
                assertThat(weights.info("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").shape()).containsExactly(4, 128);
                assertThat(weights.info("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight").shape()).containsExactly(64, 4);
            }
            try (LlamaModel fresh = Fixtures.tinystories(m, ModelOptions.dense());
                 LoraAdapter loaded = PeftAdapterFiles.load(dir, fresh)) {
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(fresh, PROMPT), expected[0])).isLessThan(1e-6f);
                assertThat(loaded.config().loraDropout()).isEqualTo(0.05);
            }
        }
    }

    @Test
    void ignoresUnknownConfigKeysOfAdaptersMadeElsewhere() throws Exception {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            float[][] expected = new float[1][];
            Path dir = trainedLookingAdapter(m, expected);
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode config = (ObjectNode) mapper.readTree(dir.resolve("adapter_config.json").toFile());
            config.put("megatron_core", "megatron.core").put("exclude_modules", (String) null).putObject("loftq_config");
            config.put("some_future_option", true);
            Files.writeString(dir.resolve("adapter_config.json"), mapper.writeValueAsString(config));
            // an adapter written by PEFT has no fingerprint in its metadata
            rewriteMetadata(dir.resolve("adapter_model.safetensors"), Map.of("format", "pt"));
            try (LlamaModel fresh = Fixtures.tinystories(m, ModelOptions.dense());
                 LoraAdapter ignored = PeftAdapterFiles.load(dir, fresh)) {
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(fresh, PROMPT), expected[0])).isLessThan(1e-6f);
            }
        }
    }

    @Test
    void refusesAnAdapterMadeForAnotherBaseModel() throws Exception {
        try (NDManager m = EngineRuntime.newManager("cpu")) {
            Path dir = trainedLookingAdapter(m, new float[1][]);
            try (LlamaModel other = Fixtures.load(Samples.stories260k(), m, ModelOptions.dense())) {
                assertThatThrownBy(() -> PeftAdapterFiles.load(dir, other)).isInstanceOf(AdapterLoadException.class)
                        .hasMessageContaining("different base model");
            }
            // same shapes, different weights: caught by the fingerprint
            rewriteMetadata(dir.resolve("adapter_model.safetensors"), Map.of("format", "pt", BaseModelRef.METADATA_KEY, "0".repeat(64)));
            try (LlamaModel same = Fixtures.tinystories(m, ModelOptions.dense())) {
                assertThatThrownBy(() -> PeftAdapterFiles.load(dir, same)).hasMessageContaining("different base model");
            }
        }
    }

    @Test
    void refusesUnsupportedPeftVariantsAndADoraConfigWithoutMagnitudesByName() throws Exception {
        Map<String, String> expectedMessage = Map.of("fan_in_fan_out", "fan_in_fan_out=true",
                "use_dora", "has no lora_magnitude_vector but adapter_config.json has use_dora true");
        for (Map.Entry<String, String> e : expectedMessage.entrySet()) {
            try (NDManager m = EngineRuntime.newManager("cpu")) {
                // given: a plain LoRA adapter whose config claims a variant
                Path dir = trainedLookingAdapter(m, new float[1][]);
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode config = (ObjectNode) mapper.readTree(dir.resolve("adapter_config.json").toFile());
                config.put(e.getKey(), true);
                Files.writeString(dir.resolve("adapter_config.json"), mapper.writeValueAsString(config));
                try (LlamaModel fresh = Fixtures.tinystories(m, ModelOptions.dense())) {
                    // when / then
                    assertThatThrownBy(() -> PeftAdapterFiles.load(dir, fresh)).hasMessageContaining(e.getValue());
                }
            }
        }
    }

    @Test
    void mergedCheckpointReloadsWithTheLogitsOfBasePlusAdapter() {
        for (ModelOptions options : List.of(ModelOptions.dense(), ModelOptions.of(Nf4Storage.DEFAULT))) {
            try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, options)) {
                LoraAdapter lora = LoraAdapter.attach(model, LoraConfig.of(8, 16, 0, List.of("all-linear")), 9);
                lora.parameters().forEach(p -> Fixtures.randomize(p.value(), p.name().hashCode(), 0.05f));
                float[] unmerged = Fixtures.logits(model, PROMPT);
                Path out = tmp.resolve("merged-" + options.weights().name());
                MergedCheckpoint.write(out, model, Samples.tinystories());
                try (LlamaModel merged = Fixtures.load(out, m, ModelOptions.dense())) {
                    assertThat(Fixtures.maxAbsDiff(Fixtures.logits(merged, PROMPT), unmerged)).as(options.weights().name())
                            .isLessThan(1e-4f);
                }
                assertThat(out.resolve("tokenizer.json")).exists();
            }
        }
    }

    private static void rewriteMetadata(Path file, Map<String, String> metadata) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                tensors.put(name, f.read(name));
            }
        }
        SafetensorsWriter.write(file, tensors, metadata);
    }
}
