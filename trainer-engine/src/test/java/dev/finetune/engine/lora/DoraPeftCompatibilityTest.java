package dev.finetune.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.engine.checkpoint.SafetensorsFile;
import dev.finetune.engine.model.Generator;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.peft.BaseModelRef;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.engine.testing.Fixtures;
import dev.finetune.engine.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DoRA against Hugging Face PEFT itself, through the fixtures {@code samples/adapters/make_dora_fixture.py}
 * made: an adapter PEFT wrote with PEFT's greedy tokens and logits for it, and an adapter this engine
 * wrote with what PEFT computed after loading it unchanged.
 */
class DoraPeftCompatibilityTest {

    static final Path PEFT_MADE = Samples.root().resolve("adapters/tinystories-656k-dora-peft");
    static final Path JAVA_MADE = Samples.root().resolve("adapters/tinystories-656k-dora-java");
    /** float32 in PyTorch and in DJL, summed in different orders: measured about 1e-5 on these logits. */
    static final float LOGIT_TOLERANCE = 2e-4f;

    @TempDir
    Path tmp;

    @Test
    void givesPeftsGreedyTokensAndLogitsForAnAdapterPeftMade() throws IOException {
        assertMatchesPeft(PEFT_MADE);
    }

    @Test
    void givesWhatPeftComputedForAnAdapterThisEngineWrote() throws IOException {
        assertMatchesPeft(JAVA_MADE);
    }

    private static void assertMatchesPeft(Path adapter) throws IOException {
        // given
        JsonNode peft = new ObjectMapper().readTree(adapter.resolve("peft_reference.json").toFile());
        int[] prompt = ints(peft.get("prompt_ids"));
        int[] expectedTokens = ints(peft.get("greedy_ids"));
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter dora = PeftAdapterFiles.load(adapter, model)) {

            // when
            float[] logits = lastPosition(Fixtures.logits(model, prompt), model);
            int[] tokens = new Generator(model, 2).generate(prompt, new SamplingOptions(expectedTokens.length, 0, 1, 0, false));

            // then
            assertThat(dora.config().useDora()).isTrue();
            assertThat(tokens).as(peft.get("greedy_text").asText()).containsExactly(expectedTokens);
            JsonNode first = peft.get("last_position_logits_first64");
            float worst = 0;
            for (int i = 0; i < first.size(); i++) {
                worst = Math.max(worst, Math.abs(logits[i] - (float) first.get(i).asDouble()));
            }
            for (JsonNode top : peft.get("last_position_top10")) {
                worst = Math.max(worst, Math.abs(logits[top.get(0).asInt()] - (float) top.get(1).asDouble()));
            }
            System.out.printf("DoRA vs PEFT %s: max |logit diff| %.3g over %d logits, %d greedy tokens equal%n",
                    adapter.getFileName(), worst, first.size() + 10, tokens.length);
            assertThat(worst).isLessThan(LOGIT_TOLERANCE);
            int[] baseTokens = Arrays.copyOf(ints(Samples.reference().get("greedy_ids")), tokens.length);
            assertThat(tokens).as("the adapter changes what the base model says").isNotEqualTo(baseTokens);
        }
    }

    @Test
    void writesTheTensorNamesShapesAndConfigKeysPeftWrites() throws IOException {
        // given: the configuration PEFT's fixture was made with
        LoraConfig config = PeftAdapterFiles.readConfig(PEFT_MADE.resolve(PeftAdapterFiles.CONFIG));
        Path ours = tmp.resolve("ours");

        // when
        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense());
             LoraAdapter dora = LoraAdapter.attach(model, config, 1)) {
            dora.save(ours, BaseModelRef.of("tinystories-656k", model));
        }

        // then
        assertThat(shapes(ours)).isEqualTo(shapes(PEFT_MADE));
        ObjectMapper json = new ObjectMapper();
        JsonNode ourConfig = json.readTree(ours.resolve(PeftAdapterFiles.CONFIG).toFile());
        JsonNode peftConfig = json.readTree(PEFT_MADE.resolve(PeftAdapterFiles.CONFIG).toFile());
        assertThat(ourConfig.get("use_dora").asBoolean()).isTrue();
        for (Iterator<String> names = ourConfig.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertThat(peftConfig.has(name)).as("PEFT knows config key %s", name).isTrue();
            if (!ourConfig.get(name).isNull() && !peftConfig.get(name).isNull()) {
                assertThat(ourConfig.get(name).getNodeType()).as(name).isEqualTo(peftConfig.get(name).getNodeType());
            }
        }
        for (String name : new String[] {"peft_type", "r", "lora_alpha", "use_dora", "bias", "fan_in_fan_out"}) {
            assertThat(ourConfig.get(name)).as(name).isEqualTo(peftConfig.get(name));
        }
    }

    @Test
    void refusesDoraMagnitudesWhenTheConfigSaysPlainLora() throws IOException {
        // given: PEFT's DoRA adapter with use_dora switched off in its config
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        Files.copy(PEFT_MADE.resolve(PeftAdapterFiles.WEIGHTS), copy.resolve(PeftAdapterFiles.WEIGHTS));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(PEFT_MADE.resolve(PeftAdapterFiles.CONFIG).toFile());
        config.put("use_dora", false);
        Files.writeString(copy.resolve(PeftAdapterFiles.CONFIG), json.writeValueAsString(config));

        try (NDManager m = EngineRuntime.newManager("cpu"); LlamaModel model = Fixtures.tinystories(m, ModelOptions.dense())) {
            // when / then
            assertThatThrownBy(() -> PeftAdapterFiles.load(copy, model))
                    .hasMessageContaining("lora_magnitude_vector' is a DoRA magnitude but adapter_config.json has use_dora false");
        }
    }

    private static Map<String, String> shapes(Path adapter) {
        Map<String, String> out = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(adapter.resolve(PeftAdapterFiles.WEIGHTS))) {
            file.names().stream().sorted().forEach(n -> out.put(n, Arrays.toString(file.info(n).shape())
                    + " " + file.info(n).dtype()));
        }
        return out;
    }

    private static float[] lastPosition(float[] all, LlamaModel model) {
        int vocab = model.config().vocabSize();
        return Arrays.copyOfRange(all, all.length - vocab, all.length);
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }
}
