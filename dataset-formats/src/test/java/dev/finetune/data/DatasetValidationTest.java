package dev.finetune.data;

import dev.finetune.settings.DatasetFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of the real sample files: every error is reported with its line and field. */
class DatasetValidationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final DatasetSpec GSM8K_SPEC = DatasetReaderTest.GSM8K_SPEC;

    @TempDir
    Path dir;

    @Test
    void reportsTruncatedLastLineMissingKeyAndBadUtf8AllAtOnce() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Samples.GSM8K));
        lines.set(6, lines.get(6).replace("\"answer\":", "\"solution\":")); // line 7 loses "answer"
        String last = lines.get(399);
        lines.set(399, last.substring(0, last.length() / 2)); // line 400 cut mid-JSON, no newline
        byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        int line3 = indexOfLine(bytes, 3);
        bytes[line3 + 20] = (byte) 0xFF; // inside the question text of line 3
        Path file = Files.write(dir.resolve("gsm8k_damaged.jsonl"), bytes);

        ValidationReport report = DatasetReader.validate(file, GSM8K_SPEC, null);

        assertThat(report.format()).isEqualTo(DatasetFormat.COMPLETION);
        assertThat(report.rows()).isEqualTo(400);
        assertThat(report.validRows()).isEqualTo(397);
        assertThat(report.errors()).extracting(RecordError::line, RecordError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3, null),
                org.assertj.core.groups.Tuple.tuple(7, "answer"),
                org.assertj.core.groups.Tuple.tuple(400, null));
        assertThat(report.errors().get(0).message()).contains("invalid UTF-8").contains("0xFF");
        assertThat(report.errors().get(1).message()).contains("missing required key 'answer'");
        assertThat(report.errors().get(2).message()).contains("invalid JSON");
        assertThat(report.errorsCapped()).isFalse();

        assertThatThrownBy(() -> DatasetReader.read(file, GSM8K_SPEC))
                .isInstanceOfSatisfying(DatasetValidationException.class,
                        e -> assertThat(e.report().errors()).hasSize(3))
                .hasMessageContaining("7 [answer]: missing required key 'answer'");
    }

    @Test
    void reportsUnknownRoleAndNumericContentInChatJsonlWithFieldPaths() throws IOException {
        ArrayNode glaive = (ArrayNode) JSON.readTree(Samples.GLAIVE.toFile());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ObjectNode chat = JSON.createObjectNode();
            ArrayNode messages = chat.putArray("messages");
            for (var turn : glaive.get(i).get("conversations")) {
                String role = turn.get("from").asText().equals("human") ? "user" : "assistant";
                messages.addObject().put("role", role).put("content", turn.get("value").asText());
            }
            lines.add(chat.toString());
        }
        lines.set(1, lines.get(1).replaceFirst("\"role\":\"assistant\"", "\"role\":\"robot\""));
        ObjectNode five = (ObjectNode) JSON.readTree(lines.get(4));
        ((ObjectNode) five.get("messages").get(0)).put("content", 42);
        lines.set(4, five.toString());
        Path file = Files.writeString(dir.resolve("chat.jsonl"), String.join("\n", lines) + "\n");

        ValidationReport report = DatasetReader.validate(file, DatasetSpec.auto(), null);

        assertThat(report.format()).isEqualTo(DatasetFormat.CHAT);
        assertThat(report.rows()).isEqualTo(10);
        assertThat(report.validRows()).isEqualTo(8);
        assertThat(report.errors()).extracting(RecordError::line, RecordError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, "messages[1].role"),
                org.assertj.core.groups.Tuple.tuple(5, "messages[0].content"));
        assertThat(report.errors().get(0).message()).contains("unknown role 'robot'");
        assertThat(report.errors().get(1).message()).isEqualTo("expected a string, got number");
    }

    @Test
    void reportsRecordIndexAndFieldInAShareGptArray() throws IOException {
        ArrayNode glaive = (ArrayNode) JSON.readTree(Samples.GLAIVE.toFile());
        ((ObjectNode) glaive.get(4).get("conversations").get(2)).put("from", "robot");
        ((ObjectNode) glaive.get(9).get("conversations").get(1)).put("value", 3.5);
        ((ObjectNode) glaive.get(12)).remove("conversations");
        Path file = Files.writeString(dir.resolve("glaive.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(glaive));

        ValidationReport report = DatasetReader.validate(file, DatasetSpec.auto(), null);

        assertThat(report.format()).isEqualTo(DatasetFormat.SHAREGPT);
        assertThat(report.rows()).isEqualTo(40);
        assertThat(report.validRows()).isEqualTo(37);
        // records are numbered from 1, each located by the file line it starts on
        List<String> lines = Files.readAllLines(file);
        int record5 = startLine(lines, 5);
        assertThat(report.errors()).extracting(RecordError::record, RecordError::line, RecordError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(5, record5, "conversations[2].from"),
                org.assertj.core.groups.Tuple.tuple(10, startLine(lines, 10), "conversations[1].value"),
                org.assertj.core.groups.Tuple.tuple(13, startLine(lines, 13), "conversations"));
        assertThat(lines.get(record5 - 1)).endsWith("{");
        assertThat(report.errors().get(0).message()).startsWith("record 5 (line " + record5 + "): unknown role 'robot'");
    }

    @Test
    void reportsATruncatedJsonArrayAtTheRecordItBreaksIn() throws IOException {
        String text = Files.readString(Samples.IDENTITY);
        int cut = text.indexOf("\"instruction\"", text.indexOf("\"instruction\"") + 1); // inside record 1
        Path file = Files.writeString(dir.resolve("identity.json"), text.substring(0, cut + 10));

        ValidationReport report = DatasetReader.validate(file, DatasetSpec.auto(), null);

        assertThat(report.format()).isEqualTo(DatasetFormat.INSTRUCTION);
        assertThat(report.rows()).isEqualTo(2);
        assertThat(report.validRows()).isEqualTo(1);
        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.record()).isEqualTo(2);
            assertThat(e.line()).isEqualTo(startLine(Files.readAllLines(file), 2));
            assertThat(e.message()).startsWith("record 2 (line " + e.line() + "): invalid JSON at line");
        });
    }

    @Test
    void reportsBadUtf8InAJsonArrayWithItsRecordAndLine() throws IOException {
        byte[] bytes = Files.readAllBytes(Samples.IDENTITY);
        int line3 = indexOfLine(bytes, 3); // line 3 is record 0's instruction
        bytes[line3 + 20] = (byte) 0xFF;
        Path file = Files.write(dir.resolve("identity.json"), bytes);

        ValidationReport report = DatasetReader.validate(file, DatasetSpec.auto(), null);

        assertThat(report.rows()).isEqualTo(91);
        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.record()).isEqualTo(1);
            assertThat(e.line()).isEqualTo(2); // "[" is line 1, the first record's "{" line 2
            assertThat(e.message()).startsWith("record 1 (line 2): ").contains("invalid UTF-8").contains("(line 3)");
        });
    }

    @Test
    void capsTheErrorListButKeepsCounting() throws IOException {
        String broken = Files.readString(Samples.GSM8K).replace("\"answer\":", "\"solution\":");
        Path file = Files.writeString(dir.resolve("no_answers.jsonl"), broken);

        ValidationReport report = DatasetReader.validate(file, GSM8K_SPEC.withErrorCap(25), null);

        assertThat(report.rows()).isEqualTo(400);
        assertThat(report.validRows()).isZero();
        assertThat(report.errors()).hasSize(25);
        assertThat(report.errors().get(24).line()).isEqualTo(25);
        assertThat(report.errorsCapped()).isTrue();
        assertThat(DatasetReader.validate(file, GSM8K_SPEC, null).errors()).hasSize(100);
    }

    @Test
    void reportsEmptyConversationsMissingAssistantTurnsAndEmptyText() throws IOException {
        Path chat = Files.writeString(dir.resolve("chat.jsonl"), String.join("\n",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"yo\"}]}",
                "{\"messages\":[]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"anyone?\"}]}",
                "{\"messages\":\"hello\"}",
                "[1, 2]"));
        ValidationReport report = DatasetReader.validate(chat, DatasetSpec.auto(), null);
        assertThat(report.errors()).extracting(RecordError::line, RecordError::field, RecordError::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2, "messages", "empty conversation"),
                        org.assertj.core.groups.Tuple.tuple(3, "messages",
                                "conversation has no assistant turn, so there is nothing to train on"),
                        org.assertj.core.groups.Tuple.tuple(4, "messages", "expected an array, got string"),
                        org.assertj.core.groups.Tuple.tuple(5, null, "expected a JSON object, got array"));

        Path text = Files.writeString(dir.resolve("text.jsonl"), "{\"text\":\"ok\"}\n{\"text\":\"  \"}\n");
        assertThat(DatasetReader.validate(text, DatasetSpec.auto(), null).errors())
                .containsExactly(new RecordError(2, "text", "empty text"));
        Path emptyTxt = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertThat(DatasetReader.validate(emptyTxt, DatasetSpec.auto(), null).errors())
                .containsExactly(new RecordError(1, null, "empty text"));
    }

    @Test
    void reportsRecordsOfAnotherLayoutAgainstTheExplicitFormat() throws IOException {
        ValidationReport report = DatasetReader.validate(Samples.IDENTITY, DatasetSpec.of(DatasetFormat.CHAT), null);
        assertThat(report.validRows()).isZero();
        assertThat(report.errors()).hasSize(91)
                .allSatisfy(e -> assertThat(e.field()).isEqualTo("messages"));
    }

    private static int indexOfLine(byte[] bytes, int line) {
        int seen = 1;
        for (int i = 0; i < bytes.length && seen < line; i++) {
            if (bytes[i] == '\n' && ++seen == line) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The 1-based line on which the {@code n}-th (1-based) record of a JSON array starts: a line
     * "  {" (the identity sample's layout), or "[ {" / "}, {" (Jackson's pretty printer's).
     */
    private static int startLine(List<String> lines, int n) {
        int seen = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("(\\[ \\{|\\}, \\{|  \\{)\\s*") && ++seen == n) {
                return i + 1;
            }
        }
        throw new AssertionError("no record " + n);
    }
}
