package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void opensAndValidatesBothSampleCheckpoints() {
        try (HfCheckpoint t = HfCheckpoint.open(TestFiles.tinystories());
             HfCheckpoint s = HfCheckpoint.open(TestFiles.stories260k())) {
            assertThat(t.tensorNames()).hasSize(20).contains("lm_head.weight").doesNotContain("model.embed_tokens.weight");
            assertThat(s.tensorNames()).hasSize(47).contains("model.embed_tokens.weight").doesNotContain("lm_head.weight");
            assertThat(t.tensor("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(64, 128);
            assertThat(s.config().numHiddenLayers()).isEqualTo(5);
            assertThat(s.directory()).isEqualTo(TestFiles.stories260k());
        }
    }

    @Test
    void matchesTheUpstreamSpotValuesExactly() {
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.tinystories())) {
            assertThat(c.lmHead().get(50)).isEqualTo(0.14453125f);
            assertThat(c.embedding().get(50)).isEqualTo(0.14453125f);
            assertThat(c.tensor("model.layers.0.input_layernorm.weight").get(10)).isEqualTo(0.18652344f);
            assertThat(c.tensor("model.layers.1.post_attention_layernorm.weight").get(10)).isEqualTo(0.32421875f);
            assertThat(c.tensor("model.norm.weight").get(100)).isEqualTo(0.73046875f);
            assertThat(c.tensor("model.layers.0.mlp.down_proj.weight").get(100)).isEqualTo(-0.0625f);
            assertThat(c.tensor("model.layers.0.mlp.up_proj.weight").get(100)).isEqualTo(1.46875f);
            assertThat(c.tensor("model.layers.1.mlp.gate_proj.weight").get(100)).isEqualTo(0.296875f);
            assertThat(c.tensor("model.layers.1.self_attn.q_proj.weight").get(100)).isEqualTo(0.032226563f);
            assertThat(c.tensor("model.layers.1.self_attn.k_proj.weight").get(100)).isEqualTo(-0.21386719f);
            assertThat(c.tensor("model.layers.0.self_attn.v_proj.weight").get(100)).isEqualTo(0.041015625f);
            assertThat(c.tensor("model.layers.0.self_attn.o_proj.weight").get(100)).isEqualTo(0.01965332f);
        }
    }

    @Test
    void returnsTheSameTiedMatrixForEmbeddingAndLmHeadUnderBothConventions() {
        try (HfCheckpoint t = HfCheckpoint.open(TestFiles.tinystories());
             HfCheckpoint s = HfCheckpoint.open(TestFiles.stories260k())) {
            assertThat(t.embedding()).isEqualTo(t.lmHead()).isEqualTo(t.tensor("lm_head.weight"));
            assertThat(t.embedding().shape()).containsExactly(2048, 128);
            assertThat(s.lmHead()).isEqualTo(s.embedding()).isEqualTo(s.tensor("model.embed_tokens.weight"));
            assertThat(s.lmHead().shape()).containsExactly(512, 64);
        }
    }

    @Test
    void loadsAShardedCheckpointWithTheSameTensors() throws IOException {
        Map<String, HostTensor> single;
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.tinystories())) {
            single = TestFiles.readAll(c);
        }
        writeTwoShards(single);
        try (HfCheckpoint sharded = HfCheckpoint.open(tmp)) {
            assertThat(sharded.tensorNames()).containsExactlyInAnyOrderElementsOf(single.keySet());
            assertThat(TestFiles.readAll(sharded)).isEqualTo(single);
            assertThat(sharded.toString()).contains("2 files");
        }
    }

    /** Shard 1: everything up to layer 0; shard 2: the rest; index in reverse order of the files. */
    private void writeTwoShards(Map<String, HostTensor> all) throws IOException {
        Map<String, HostTensor> a = new LinkedHashMap<>();
        Map<String, HostTensor> b = new LinkedHashMap<>();
        all.forEach((k, v) -> (k.startsWith("model.layers.1") || k.startsWith("model.norm") ? b : a).put(k, v));
        SafetensorsWriter.write(tmp.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        StringBuilder idx = new StringBuilder("{\"metadata\":{\"total_size\":2624000},\"weight_map\":{");
        String sep = "";
        for (String k : b.keySet()) {
            idx.append(sep).append('"').append(k).append("\":\"model-00002-of-00002.safetensors\"");
            sep = ",";
        }
        for (String k : a.keySet()) {
            idx.append(sep).append('"').append(k).append("\":\"model-00001-of-00002.safetensors\"");
        }
        Files.writeString(tmp.resolve("model.safetensors.index.json"), idx.append("}}").toString());
        TestFiles.copyConfig(TestFiles.tinystories(), tmp);
    }

    @Test
    void rejectsMissingShardNamingTheIndex() throws IOException {
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.tinystories())) {
            writeTwoShards(TestFiles.readAll(c));
        }
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll("model.safetensors.index.json",
                        "shard 'model-00002-of-00002.safetensors'", "is missing");
    }

    @Test
    void rejectsIndexThatMapsATensorToTheWrongShard() throws IOException {
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.tinystories())) {
            writeTwoShards(TestFiles.readAll(c));
        }
        Path idx = tmp.resolve("model.safetensors.index.json");
        Files.writeString(idx, Files.readString(idx).replace(
                "\"model.norm.weight\":\"model-00002-of-00002", "\"model.norm.weight\":\"model-00001-of-00002"));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll("model.safetensors.index.json", "'model.norm.weight'",
                        "model-00001-of-00002.safetensors", "does not contain it");
    }

    @Test
    void rejectsDirectoryWithoutConfigJson() throws IOException {
        Files.copy(TestFiles.stories260k().resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessage(tmp.resolve("config.json") + " is missing");
    }

    @Test
    void rejectsDirectoryWithoutWeights() throws IOException {
        TestFiles.copyConfig(TestFiles.stories260k(), tmp);
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll(tmp.toString(), "neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void rejectsGpt2Config() throws IOException {
        Files.copy(TestFiles.stories260k().resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        Files.writeString(tmp.resolve("config.json"), Files.readString(TestFiles.stories260k().resolve("config.json"))
                .replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll("config.json: model_type 'gpt2' is not supported");
    }

    @Test
    void rejectsRopeScalingInConfig() throws IOException {
        Files.copy(TestFiles.stories260k().resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        Files.writeString(tmp.resolve("config.json"), Files.readString(TestFiles.stories260k().resolve("config.json"))
                .replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll("config.json: rope_scaling", "linear", "not supported");
    }

    @Test
    void reportsEveryMissingTensorAndWrongShapeAtOnce() throws IOException {
        Map<String, HostTensor> all;
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.stories260k())) {
            all = TestFiles.readAll(c);
        }
        all.remove("model.layers.3.mlp.up_proj.weight");
        HostTensor norm = all.get("model.norm.weight");
        all.put("model.norm.weight", HostTensor.of(new long[] {32, 2}, norm.data()));
        SafetensorsWriter.write(tmp.resolve("model.safetensors"), all, Map.of());
        TestFiles.copyConfig(TestFiles.stories260k(), tmp);
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll(tmp.toString(), "2 problems",
                        "tensor 'model.layers.3.mlp.up_proj.weight' is missing (expected shape [172, 64])",
                        "tensor 'model.norm.weight' in model.safetensors has shape [32, 2], expected [64]");
    }

    @Test
    void rejectsUntiedCheckpointWithoutLmHead() throws IOException {
        Files.copy(TestFiles.stories260k().resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        Files.writeString(tmp.resolve("config.json"), Files.readString(TestFiles.stories260k().resolve("config.json"))
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false"));
        assertThatThrownBy(() -> HfCheckpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContainingAll(tmp.toString(), "tensor 'lm_head.weight' is missing (expected shape [512, 64])");
    }

    @Test
    void namesDirectoryAndTensorWhenTensorIsAbsent() {
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.stories260k())) {
            assertThat(c.has("lm_head.weight")).isFalse();
            assertThatThrownBy(() -> c.tensor("lm_head.weight")).isInstanceOf(CheckpointException.class)
                    .hasMessageContainingAll(TestFiles.stories260k().toString(), "no tensor 'lm_head.weight'");
        }
    }

    @Test
    void requiresNamedFilesWithReadableMessage() {
        assertThat(HfCheckpoint.requireFile(TestFiles.stories260k(), "tokenizer.json"))
                .isEqualTo(TestFiles.stories260k().resolve("tokenizer.json"));
        assertThatThrownBy(() -> HfCheckpoint.requireFile(tmp, "tokenizer.json"))
                .isInstanceOf(CheckpointException.class).hasMessage(tmp.resolve("tokenizer.json") + " is missing");
    }
}
