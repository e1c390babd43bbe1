package dev.finetune.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointWriterTest {

    @TempDir
    Path tmp;

    @Test
    void writesACheckpointThatReopensWithIdenticalTensorsConfigAndTokenizer() throws IOException {
        Path src = TestFiles.tinystories();
        Map<String, HostTensor> all;
        LlamaConfig config;
        try (HfCheckpoint c = HfCheckpoint.open(src)) {
            all = TestFiles.readAll(c);
            config = c.config();
        }
        Path out = tmp.resolve("merged");
        HfCheckpointWriter.write(out, config, all, src);
        for (String f : HfCheckpointWriter.TOKENIZER_FILES) {
            assertThat(out.resolve(f)).hasSameBinaryContentAs(src.resolve(f));
        }
        assertThat(out.resolve("REFERENCE_numpy.json")).doesNotExist();
        assertThat(out.resolve("model.safetensors.index.json")).doesNotExist();
        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            assertThat(c.config()).isEqualTo(config);
            assertThat(TestFiles.readAll(c)).isEqualTo(all);
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"));
        }
    }

    @Test
    void shardsWhenTensorsExceedTheLimitAndWritesAnIndex() throws IOException {
        Map<String, HostTensor> all;
        LlamaConfig config;
        try (HfCheckpoint c = HfCheckpoint.open(TestFiles.stories260k())) {
            all = TestFiles.readAll(c);
            config = c.config();
        }
        Path out = tmp.resolve("sharded");
        HfCheckpointWriter.write(out, config, all, null);
        assertThat(out.resolve("model.safetensors")).exists();
        HfCheckpointWriter.write(out, config, all, null, 400_000);
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        assertThat(out.resolve("model-00001-of-00003.safetensors")).exists();
        assertThat(out.resolve("model-00003-of-00003.safetensors")).exists();
        JsonNode index = Json.MAPPER.readTree(out.resolve("model.safetensors.index.json").toFile());
        assertThat(index.at("/metadata/total_size").asLong()).isEqualTo(1040128L);
        assertThat(index.at("/weight_map").size()).isEqualTo(all.size());
        assertThat(index.at("/weight_map/model.norm.weight").asText()).isEqualTo("model-00003-of-00003.safetensors");
        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            assertThat(TestFiles.readAll(c)).isEqualTo(all);
        }
        HfCheckpointWriter.write(out, config, all, null);
        assertThat(out.resolve("model.safetensors.index.json")).doesNotExist();
        assertThat(out.resolve("model-00001-of-00003.safetensors")).doesNotExist();
    }

    @Test
    void writesSynthesizedConfigForRandomInitialisedModels() {
        LlamaConfig cfg = LlamaConfig.of(16, 1, 2, 1, 32, 10);
        Map<String, HostTensor> t = new java.util.LinkedHashMap<>();
        t.put("model.embed_tokens.weight", HostTensor.of(new long[] {10, 16}, new float[160]));
        t.put("lm_head.weight", HostTensor.of(new long[] {10, 16}, new float[160]));
        LlamaLayout.expectedShapes(cfg).forEach((n, s) -> t.put(n, HostTensor.of(s,
                new float[(int) HostTensor.product(s)])));
        HfCheckpointWriter.write(tmp, cfg, t, null);
        try (HfCheckpoint c = HfCheckpoint.open(tmp)) {
            assertThat(c.config().hiddenSize()).isEqualTo(16);
            assertThat(c.config().tieWordEmbeddings()).isFalse();
            assertThat(c.tensorNames()).containsExactlyElementsOf(new java.util.TreeSet<>(t.keySet()));
        }
    }
}
