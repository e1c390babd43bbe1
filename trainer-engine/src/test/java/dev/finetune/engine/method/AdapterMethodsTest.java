package dev.finetune.engine.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.finetune.engine.bottleneck.BottleneckConfig;
import dev.finetune.engine.bottleneck.BottleneckMethod;
import dev.finetune.engine.lora.LoraConfig;
import dev.finetune.engine.lora.LoraMethod;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.peft.AdapterLoadException;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.peft.MethodConfig;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.peft.TrainableAdapter;
import dev.finetune.engine.quant.Nf4Storage;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.settings.FineTuningMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AdapterMethodsTest {

    static final int[] PROMPT = {1, 80, 147, 201, 282, 57};

    /** Each registered method with settings small enough for the tiny model. */
    static final Map<AdapterMethod, MethodConfig> CONFIGS = Map.of(
            LoraMethod.INSTANCE, LoraConfig.of(4, 8, 0, List.of("q_proj", "v_proj")).withDora(true),
            BottleneckMethod.INSTANCE, BottleneckConfig.houlsby().withReductionFactor(8));

    @TempDir
    Path tmp;

    @Test
    void mapsEachUserFacingMethodToAnAdapterMethodAndABaseStorage() {
        // given the three names users type
        // when the registry resolves them
        AdapterMethods.Choice lora = AdapterMethods.of(FineTuningMethod.LORA);
        AdapterMethods.Choice qlora = AdapterMethods.of(FineTuningMethod.QLORA);
        AdapterMethods.Choice adapter = AdapterMethods.of(FineTuningMethod.ADAPTER);

        // then qlora is the LoRA method on NF4 storage, not a method of its own
        assertThat(lora).isEqualTo(new AdapterMethods.Choice(LoraMethod.INSTANCE, WeightStorage.DENSE));
        assertThat(qlora).isEqualTo(new AdapterMethods.Choice(LoraMethod.INSTANCE, Nf4Storage.DEFAULT));
        assertThat(adapter).isEqualTo(new AdapterMethods.Choice(BottleneckMethod.INSTANCE, WeightStorage.DENSE));
        assertThat(AdapterMethods.all()).containsExactly(LoraMethod.INSTANCE, BottleneckMethod.INSTANCE);
    }

    @ParameterizedTest
    @EnumSource(FineTuningMethod.class)
    void registersEveryUserFacingMethod(FineTuningMethod name) {
        // given a name users can type
        // when the registry resolves it
        AdapterMethods.Choice choice = AdapterMethods.of(name);

        // then it has a method and a storage, and the method is one detection tries
        assertThat(choice).isNotNull();
        assertThat(choice.baseWeights()).isNotNull();
        assertThat(AdapterMethods.all()).contains(choice.method());
    }

    @ParameterizedTest
    @EnumSource(value = FineTuningMethod.class, names = {"LORA", "ADAPTER"})
    void detectsTheMethodThatSavedADirectoryAndLoadsItBackToTheSameOutputs(FineTuningMethod name) {
        // given an adapter of the method with non-trivial weights (LoRA's B starts at zero), saved
        AdapterMethod method = AdapterMethods.of(name).method();
        Path dir = tmp.resolve(name.wireName());
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            float[] base = Fixtures.logits(model, PROMPT);
            float[] adapted;
            try (TrainableAdapter adapter = method.attach(model, CONFIGS.get(method), 3)) {
                long seed = 11;
                for (NamedParameter p : adapter.parameters()) {
                    Fixtures.randomize(p.value(), seed++, 0.05f);
                }
                adapted = Fixtures.logits(model, PROMPT);
                method.save(adapter, dir, BaseModelRef.of("tinystories-656k", model));
            }
            assertThat(Fixtures.maxAbsDiff(adapted, base)).isGreaterThan(1e-3f);

            // when the registry detects the directory and its method loads it
            AdapterMethod detected = AdapterMethods.detect(dir);
            try (TrainableAdapter loaded = detected.load(dir, model)) {

                // then it is the method that saved it, and the model computes what it did before saving
                assertThat(detected).isSameAs(method);
                assertThat(loaded.method()).isSameAs(method);
                assertThat(Fixtures.maxAbsDiff(Fixtures.logits(model, PROMPT), adapted)).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void refusesAnUnknownDirectoryNamingWhatItFound() throws IOException {
        // given a directory with no adapter of any registered layout
        Path dir = Files.createDirectories(tmp.resolve("unknown"));
        Files.writeString(dir.resolve("notes.txt"), "not an adapter");
        Files.writeString(dir.resolve("model.safetensors"), "");

        // when / then
        assertThatThrownBy(() -> AdapterMethods.detect(dir)).isInstanceOf(AdapterLoadException.class)
                .hasMessageContaining("it holds model.safetensors, notes.txt")
                .hasMessageContaining("PEFT LoRA (adapter_config.json with peft_type LORA and adapter_model.safetensors)")
                .hasMessageContaining("AdapterHub bottleneck (adapter_config.json and adapter.safetensors)");
    }

    @Test
    void refusesAPeftAdapterOfAnotherTypeNamingItsPeftType() throws IOException {
        // given a PEFT directory whose config declares IA3, not LoRA
        Path dir = Files.createDirectories(tmp.resolve("ia3"));
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"IA3\"}");
        Files.writeString(dir.resolve("adapter_model.safetensors"), "");

        // when / then no method claims it, and the message says what it is
        assertThatThrownBy(() -> AdapterMethods.detect(dir)).isInstanceOf(AdapterLoadException.class)
                .hasMessageContaining("adapter_config.json has peft_type 'IA3'");
    }

    @Test
    void refusesAPickledPeftAdapter() throws IOException {
        // given a PEFT directory saved without safetensors
        Path dir = Files.createDirectories(tmp.resolve("pickle"));
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\"}");
        Files.writeString(dir.resolve("adapter_model.bin"), "");

        // when / then
        assertThatThrownBy(() -> AdapterMethods.detect(dir)).isInstanceOf(AdapterLoadException.class)
                .hasMessageContaining("adapter_model.bin (pickle)");
    }

    @Test
    void refusesAMissingDirectory() {
        // given
        Path dir = tmp.resolve("nowhere");

        // when / then
        assertThatThrownBy(() -> AdapterMethods.detect(dir)).isInstanceOf(AdapterLoadException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void mergesOnlyLora() {
        // given both methods attached to a model
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             TrainableAdapter bottleneck = BottleneckMethod.INSTANCE.attach(model, CONFIGS.get(BottleneckMethod.INSTANCE), 1)) {

            // when / then LoRA folds into the base weights and a bottleneck adapter refuses, saying why
            assertThat(LoraMethod.INSTANCE.mergeable()).isTrue();
            assertThat(BottleneckMethod.INSTANCE.mergeable()).isFalse();
            assertThat(AdapterMethods.mergeableNames()).isEqualTo("lora or qlora");
            assertThatThrownBy(() -> bottleneck.method().writeMerged(bottleneck, tmp.resolve("merged"), tmp))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be folded");
            assertThat(tmp.resolve("merged")).doesNotExist();
        }
    }

    @Test
    void refusesSettingsOfAnotherMethod() {
        // given a model and the bottleneck settings
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            MethodConfig bottleneck = CONFIGS.get(BottleneckMethod.INSTANCE);

            // when / then LoRA will not attach with them
            assertThatThrownBy(() -> LoraMethod.INSTANCE.attach(model, bottleneck, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs a LoraConfig, got BottleneckConfig");
        }
    }
}
