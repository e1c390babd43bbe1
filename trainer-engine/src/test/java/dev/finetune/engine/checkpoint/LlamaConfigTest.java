package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaConfigTest {

    private static final String MINIMAL = "{\"model_type\":\"%s\",\"hidden_size\":64,\"intermediate_size\":128,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100%s}";

    private static LlamaConfig parse(String type, String extra) {
        return LlamaConfig.parse(String.format(MINIMAL, type, extra), "config.json");
    }

    private static void assertRejected(String type, String extra, String... parts) {
        assertThatThrownBy(() -> parse(type, extra)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("config.json: ").hasMessageContainingAll(parts);
    }

    @Test
    void loadsTheSampleConfigs() {
        LlamaConfig t = LlamaConfig.load(TestFiles.tinystories().resolve("config.json"));
        assertThat(t.modelType()).isEqualTo("llama");
        assertThat(t.hiddenSize()).isEqualTo(128);
        assertThat(t.intermediateSize()).isEqualTo(384);
        assertThat(t.numHiddenLayers()).isEqualTo(2);
        assertThat(t.numAttentionHeads()).isEqualTo(8);
        assertThat(t.numKeyValueHeads()).isEqualTo(4);
        assertThat(t.headDim()).isEqualTo(16);
        assertThat(t.groupSize()).isEqualTo(2);
        assertThat(t.vocabSize()).isEqualTo(2048);
        assertThat(t.rmsNormEps()).isEqualTo(1e-6);
        assertThat(t.ropeTheta()).isEqualTo(10000.0);
        assertThat(t.maxPositionEmbeddings()).isEqualTo(512);
        assertThat(t.tieWordEmbeddings()).isTrue();
        assertThat(t.attentionBias()).isFalse();
        assertThat(t.bosTokenId()).isEqualTo(1);
        assertThat(t.eosTokenId()).isEqualTo(2);
        assertThat(t.eosTokenIds()).containsExactly(2);
        assertThat(t.slidingWindow()).isNull();
        assertThat(t.raw()).containsEntry("transformers_version", "4.41.2");

        LlamaConfig s = LlamaConfig.load(TestFiles.stories260k().resolve("config.json"));
        assertThat(s.headDim()).isEqualTo(8);
        assertThat(s.numHiddenLayers()).isEqualTo(5);
        assertThat(s.rmsNormEps()).isEqualTo(1e-5);
    }

    @Test
    void appliesHuggingFaceDefaults() {
        LlamaConfig c = parse("llama", "");
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.mlpBias()).isFalse();
        assertThat(c.hiddenAct()).isEqualTo("silu");
        assertThat(c.eosTokenId()).isNull();
        assertThat(c.eosTokenIds()).isEmpty();
    }

    @Test
    void honoursExplicitHeadDimEvenWhenHeadsDoNotDivideHidden() {
        LlamaConfig c = LlamaConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":100,\"intermediate_size\":8,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":3,\"head_dim\":32,\"vocab_size\":10}", "config.json");
        assertThat(c.headDim()).isEqualTo(32);
    }

    @Test
    void givesQwen2AttentionBiasAndMistralSlidingWindow() {
        assertThat(parse("qwen2", "").attentionBias()).isTrue();
        assertThat(parse("qwen2", ",\"sliding_window\":4096").slidingWindow()).isNull();
        assertThat(parse("qwen2", ",\"sliding_window\":4096,\"use_sliding_window\":true").slidingWindow())
                .isEqualTo(4096);
        assertThat(parse("mistral", ",\"sliding_window\":1024").slidingWindow()).isEqualTo(1024);
        assertThat(parse("mistral", ",\"sliding_window\":null").slidingWindow()).isNull();
        assertThat(parse("mistral", "").attentionBias()).isFalse();
    }

    @Test
    void takesFirstEosWhenEosIsAList() {
        LlamaConfig c = parse("llama", ",\"eos_token_id\":[128001,128008,128009]");
        assertThat(c.eosTokenId()).isEqualTo(128001);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
    }

    @Test
    void rejectsUnsupportedModelType() {
        assertRejected("gpt2", "", "model_type 'gpt2' is not supported (supported: llama, mistral, qwen2)");
    }

    @Test
    void rejectsRopeScaling() {
        assertRejected("llama", ",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}",
                "rope_scaling", "llama3", "not supported");
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertRejected("llama", ",\"hidden_act\":\"gelu\"", "hidden_act 'gelu' is not supported");
        assertRejected("llama", ",\"num_key_value_heads\":3", "num_attention_heads 4", "num_key_value_heads 3");
        assertRejected("llama", ",\"head_dim\":0", "head_dim must be a positive integer");
        assertRejected("llama", ",\"rope_theta\":\"big\"", "'rope_theta' must be a number");
        assertRejected("llama", ",\"tie_word_embeddings\":1", "'tie_word_embeddings' must be true or false");
        assertThatThrownBy(() -> LlamaConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":66,"
                + "\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":1}", "config.json"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll("config.json", "hidden_size 66 is not divisible by num_attention_heads 4");
        assertThatThrownBy(() -> LlamaConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":64}", "config.json"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json: required field 'num_attention_heads' is missing");
        assertThatThrownBy(() -> LlamaConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":-64,"
                + "\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":1}", "/x/config.json"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("/x/config.json: ").hasMessageContaining("hidden_size");
    }

    @Test
    void rejectsMissingOrGarbageFileNamingIt(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("config.json");
        assertThatThrownBy(() -> LlamaConfig.load(missing)).isInstanceOf(CheckpointException.class)
                .hasMessage(missing + " is missing");
        Files.writeString(missing, "{ not json");
        assertThatThrownBy(() -> LlamaConfig.load(missing)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll(missing.toString(), "not valid JSON");
    }

    @Test
    void writesRawConfigBackUnchanged() {
        LlamaConfig t = LlamaConfig.load(TestFiles.tinystories().resolve("config.json"));
        LlamaConfig again = LlamaConfig.parse(t.toJson(), "config.json");
        assertThat(again).isEqualTo(t);
        assertThat(again.raw()).containsEntry("transformers_version", "4.41.2").containsKey("torch_dtype");
    }

    @Test
    void synthesizesConfigJsonForBenchmarkConfigs() {
        LlamaConfig c = LlamaConfig.of(256, 4, 8, 2, 688, 1000);
        assertThat(c.headDim()).isEqualTo(32);
        assertThat(c.raw()).isEmpty();
        String json = c.toJson();
        assertThat(json).contains("\"hidden_size\" : 256", "\"num_key_value_heads\" : 2",
                "\"LlamaForCausalLM\"", "\"tie_word_embeddings\" : false");
        LlamaConfig back = LlamaConfig.parse(json, "config.json");
        assertThat(List.of(back.hiddenSize(), back.numHiddenLayers(), back.numAttentionHeads(),
                back.numKeyValueHeads(), back.intermediateSize(), back.vocabSize(), back.headDim()))
                .containsExactly(256, 4, 8, 2, 688, 1000, 32);
        assertThat(back.rmsNormEps()).isEqualTo(c.rmsNormEps());
        assertThat(back.eosTokenId()).isEqualTo(2);
        assertThat(c.withTieWordEmbeddings(true).tieWordEmbeddings()).isTrue();
    }
}
