package dev.finetune.data.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {

    static final Path MODELS = Path.of(System.getProperty("samples.dir", "../samples"), "models");

    @Test
    void encodesOnceUponATimeWithBosAndDecodesBack() {
        try (HfTokenizer tok = HfTokenizer.load(MODELS.resolve("tinystories-656k"))) {
            int[] ids = tok.encode("Once upon a time", true);
            assertThat(ids).containsExactly(1, 80, 147, 201, 282, 57);
            assertThat(tok.decode(ids, true)).isEqualTo("Once upon a time");
            assertThat(tok.decode(ids, false)).startsWith("<|start_story|>");
            assertThat(tok.encode("Once upon a time", false)).containsExactly(80, 147, 201, 282, 57);
        }
    }

    @Test
    void readsSpecialTokensFromTokenizerConfig() {
        try (HfTokenizer tok = HfTokenizer.load(MODELS.resolve("tinystories-656k"))) {
            assertThat(tok.bosId()).isEqualTo(1);
            assertThat(tok.eosId()).isEqualTo(2);
            assertThat(tok.padId()).isEqualTo(0);
            assertThat(tok.bosToken()).isEqualTo("<|start_story|>");
            assertThat(tok.eosToken()).isEqualTo("<|end_story|>");
            assertThat(tok.vocabSize()).isEqualTo(2048);
            assertThat(tok.addsBosToken()).isTrue();
            assertThat(tok.chatTemplate()).isEmpty();
        }
    }

    @Test
    void fallsBackToEosForPaddingWhenNoPadTokenIsNamed() {
        try (HfTokenizer tok = HfTokenizer.load(MODELS.resolve("stories260k"))) {
            assertThat(tok.bosId()).isEqualTo(1);
            assertThat(tok.eosId()).isEqualTo(2);
            assertThat(tok.padId()).isEqualTo(2);
            assertThat(tok.vocabSize()).isEqualTo(512);
            int[] ids = tok.encode("Lily saw a cat.\n", true);
            assertThat(ids[0]).isEqualTo(1);
            assertThat(tok.decode(ids, true)).isEqualTo("Lily saw a cat.\n");
        }
    }

    @Test
    void followsAddBosTokenFalseFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Path src = MODELS.resolve("tinystories-656k");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"add_bos_token\": false, \"bos_token\": \"<|start_story|>\", \"eos_token\": \"<|end_story|>\"}");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertThat(tok.encode("Once upon a time", true)).containsExactly(80, 147, 201, 282, 57);
            assertThat(tok.addsBosToken()).isFalse();
            assertThat(tok.padId()).isEqualTo(2);
        }
    }

    @Test
    void fallsBackToConfigJsonIdsWhenTokenizerConfigIsAbsent(@TempDir Path dir) throws IOException {
        Path src = MODELS.resolve("tinystories-656k");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertThat(tok.bosId()).isEqualTo(1);
            assertThat(tok.eosToken()).isEqualTo("<|end_story|>");
            // no add_bos_token flag: the tokenizer.json post-processor adds BOS
            assertThat(tok.encode("Once upon a time", true)).startsWith(1);
        }
    }

    @Test
    void rejectsMissingTokenizerFileNamingIt(@TempDir Path dir) {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void rejectsGarbledTokenizerFileNamingIt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", ");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"Nonsense\"}}");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }
}
