package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.data.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    static final DatasetSpec GSM8K_SPEC = DatasetSpec.of(null, FieldMapping.completion("question", "answer"));

    @Test
    void readsIdentityAsInstructionWith91Rows() {
        ValidationReport report = DatasetReader.validate(Samples.IDENTITY, DatasetSpec.auto(), null);
        assertThat(report.format()).isEqualTo(DatasetFormat.INSTRUCTION);
        assertThat(report.rows()).isEqualTo(91);
        assertThat(report.validRows()).isEqualTo(91);
        assertThat(report.errors()).isEmpty();
        List<Example> examples = DatasetReader.read(Samples.IDENTITY, DatasetSpec.auto());
        assertThat(examples).hasSize(91);
        assertThat(examples.get(0).sourceLine()).isEqualTo(2); // "[" is line 1
        assertThat(examples.get(0).turns()).containsExactly(new Turn(Role.USER, "hi"), new Turn(Role.ASSISTANT,
                "Hello! I am {{name}}, an AI assistant developed by {{author}}. How can I assist you today?"));
    }

    @Test
    void readsGlaiveAsShareGptWithToolsInTheSystemTurn() {
        ValidationReport report = DatasetReader.validate(Samples.GLAIVE, DatasetSpec.auto(), null);
        assertThat(report.format()).isEqualTo(DatasetFormat.SHAREGPT);
        assertThat(report.rows()).isEqualTo(40);
        assertThat(report.validRows()).isEqualTo(40);
        Example first = DatasetReader.read(Samples.GLAIVE, DatasetSpec.auto()).get(0);
        assertThat(first.turns()).extracting(Turn::role).containsExactly(Role.SYSTEM, Role.USER,
                Role.ASSISTANT, Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT, Role.USER, Role.ASSISTANT);
        assertThat(first.turns().get(0).content()).startsWith(RecordMapper.TOOLS_PREFIX).contains("search_recipes");
        assertThat(first.turns().get(4).content()).startsWith("{\"name\": \"search_recipes\"");
    }

    @Test
    void readsGsm8kAsCompletionThroughTheQuestionAnswerMapping() {
        ValidationReport report = DatasetReader.validate(Samples.GSM8K, GSM8K_SPEC, null);
        assertThat(report.format()).isEqualTo(DatasetFormat.COMPLETION);
        assertThat(report.rows()).isEqualTo(400);
        assertThat(report.validRows()).isEqualTo(400);
        Example first = DatasetReader.read(Samples.GSM8K, GSM8K_SPEC).get(0);
        assertThat(first.sourceLine()).isEqualTo(1);
        assertThat(first.turns().get(0).content()).startsWith("Natalia sold clips");
        assertThat(first.turns().get(1).content()).endsWith("#### 72");
    }

    @Test
    void reportsThatGsm8kWithoutAMappingHasNoKnownFormat() {
        ValidationReport report = DatasetReader.validate(Samples.GSM8K, DatasetSpec.auto(), null);
        assertThat(report.format()).isNull();
        assertThat(report.validRows()).isZero();
        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.message()).contains("[question, answer]").contains("field mapping");
        });
    }

    @Test
    void readsShakespeareAsOneTextExample() {
        ValidationReport report = DatasetReader.validate(Samples.SHAKESPEARE, DatasetSpec.auto(), null);
        assertThat(report.format()).isEqualTo(DatasetFormat.TEXT);
        assertThat(report.rows()).isEqualTo(1);
        assertThat(report.estimatedTokens()).isEqualTo(30_000);
        Example ex = DatasetReader.read(Samples.SHAKESPEARE, DatasetSpec.auto()).get(0);
        assertThat(ex.rawText()).isTrue();
        assertThat(ex.turns().get(0).content()).startsWith("First Citizen:").hasSize(120_000);
    }

    @Test
    void estimatesTokensWithTheTokenizerWhenGiven() {
        try (HfTokenizer tok = HfTokenizer.load(Samples.STORIES260K)) {
            ValidationReport withTok = DatasetReader.validate(Samples.IDENTITY, DatasetSpec.auto(), tok);
            ValidationReport byChars = DatasetReader.validate(Samples.IDENTITY, DatasetSpec.auto(), null);
            assertThat(withTok.estimatedTokens()).isPositive().isNotEqualTo(byChars.estimatedTokens());
            // a 512-token vocabulary needs more tokens than the 4-characters-per-token rule of thumb
            assertThat(withTok.estimatedTokens()).isGreaterThan(byChars.estimatedTokens());
        }
    }

    @Test
    void readsChatJsonlAndTextJsonl(@TempDir Path dir) throws IOException {
        Path chat = Files.writeString(dir.resolve("chat.jsonl"),
                "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"u\"},"
                        + "{\"role\":\"assistant\",\"content\":\"a\"}]}\n\n"
                        + "{\"messages\":[{\"role\":\"user\",\"content\":\"u2\"},{\"role\":\"assistant\",\"content\":\"a2\"}]}\n");
        ValidationReport report = DatasetReader.validate(chat, DatasetSpec.auto(), null);
        assertThat(report.format()).isEqualTo(DatasetFormat.CHAT);
        assertThat(report.rows()).isEqualTo(2);
        assertThat(DatasetReader.read(chat, DatasetSpec.auto())).extracting(Example::sourceLine).containsExactly(1, 3);

        Path text = Files.writeString(dir.resolve("text.jsonl"), "{\"text\":\"one\"}\n{\"text\":\"two\"}");
        List<Example> docs = DatasetReader.read(text, DatasetSpec.auto());
        assertThat(docs).allMatch(Example::rawText).hasSize(2);
    }

    @Test
    void joinsInstructionAndInputWithABlankLineAndKeepsTheSystemPrompt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("alpaca.jsonl"),
                "{\"instruction\":\"Translate\",\"input\":\"Bonjour\",\"output\":\"Hello\",\"system\":\"Be exact.\"}");
        Example ex = DatasetReader.read(file, DatasetSpec.auto()).get(0);
        assertThat(ex.turns()).containsExactly(new Turn(Role.SYSTEM, "Be exact."),
                new Turn(Role.USER, "Translate\n\nBonjour"), new Turn(Role.ASSISTANT, "Hello"));
    }

    @Test
    void splitsDeterministicallyWithAtLeastOneEvalItem() {
        List<Integer> items = java.util.stream.IntStream.range(0, 91).boxed().toList();
        DatasetSplit.Split<Integer> a = DatasetSplit.split(items, 0.1, 7);
        DatasetSplit.Split<Integer> b = DatasetSplit.split(items, 0.1, 7);
        assertThat(a).isEqualTo(b);
        assertThat(a.eval()).hasSize(9);
        assertThat(a.train()).hasSize(82).doesNotContainAnyElementsOf(a.eval()).isSorted();
        assertThat(DatasetSplit.split(items, 0.1, 8).eval()).isNotEqualTo(a.eval());
        assertThat(DatasetSplit.split(List.of("x", "y"), 0.01, 1).eval()).hasSize(1);
        assertThat(DatasetSplit.split(List.of("x"), 0.5, 1).eval()).isEmpty();
        assertThat(DatasetSplit.split(items, 0.0, 1).train()).hasSize(91);
    }
}
