package dev.finetune.data;

import static dev.finetune.data.TokenizedExample.IGNORE_INDEX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.data.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExampleEncoderTest {

    /** stories260k has byte fallback, so every decode round-trips exactly. */
    static HfTokenizer tok;

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(Samples.STORIES260K);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void trainsOnlyTheOutputAndEosOfAnInstructionExample() {
        Example ex = DatasetReader.read(Samples.IDENTITY, DatasetSpec.auto()).get(2); // "Who are you?"
        String output = ex.turns().get(1).content();
        ExampleEncoder encoder = new ExampleEncoder(tok, new EncoderOptions(512, false, true));

        TokenizedExample enc = encoder.encodeConversation(ex.turns());

        assertThat(enc.inputIds()[0]).isEqualTo(tok.bosId());
        assertThat(enc.labels()[0]).isEqualTo(IGNORE_INDEX);
        assertThat(tok.decode(enc.inputIds(), false)).isEqualTo("<s> User: Who are you?\n\nAssistant: " + output + "</s>");
        List<int[]> spans = trainedSpans(enc);
        assertThat(spans).hasSize(1);
        assertThat(tok.decode(spans.get(0), false)).isEqualTo(output + "</s>");
        assertThat(spans.get(0)[spans.get(0).length - 1]).isEqualTo(tok.eosId());
        assertThat(enc.inputIds()[enc.length() - 1]).isEqualTo(tok.eosId()); // addEos added no second EOS
        for (int i = 0; i < enc.length(); i++) {
            if (enc.labels()[i] != IGNORE_INDEX) {
                assertThat(enc.labels()[i]).isEqualTo(enc.inputIds()[i]);
            }
        }
    }

    @Test
    void trainOnInputsTrainsEverythingButBos() {
        Example ex = DatasetReader.read(Samples.IDENTITY, DatasetSpec.auto()).get(2);
        TokenizedExample enc = new ExampleEncoder(tok, new EncoderOptions(512, true, true)).encodeConversation(ex.turns());
        assertThat(enc.labels()[0]).isEqualTo(IGNORE_INDEX);
        assertThat(Arrays.copyOfRange(enc.labels(), 1, enc.length()))
                .containsExactly(Arrays.copyOfRange(enc.inputIds(), 1, enc.length()));
    }

    @Test
    void trainsEveryAssistantTurnOfAMultiTurnShareGptRecord() {
        Example ex = DatasetReader.read(Samples.GLAIVE, DatasetSpec.auto()).get(0); // 4 assistant turns incl. a call
        List<String> answers = ex.turns().stream().filter(t -> t.role() == Role.ASSISTANT).map(Turn::content).toList();
        assertThat(answers).hasSize(4);

        TokenizedExample enc = new ExampleEncoder(tok, new EncoderOptions(4096, false, true)).encodeConversation(ex.turns());

        List<int[]> spans = trainedSpans(enc);
        assertThat(spans).extracting(s -> tok.decode(s, false))
                .containsExactlyElementsOf(answers.stream().map(a -> a + "</s>").toList());
        String prompt = tok.decode(untrained(enc), true);
        assertThat(prompt).contains("User: I have chicken, bell peppers, and rice.")
                .contains("Tool: {\"recipes\"").contains("You have access to the following tools:")
                .doesNotContain("Of course!");
    }

    @Test
    void findsAssistantSpansWithAChatMlTemplateThatWritesItsOwnEndMarker() {
        ChatTemplate chatml = ChatTemplate.of(ChatTemplateTest.CHATML, tok.bosToken(), tok.eosToken());
        ExampleEncoder encoder = new ExampleEncoder(tok, chatml, new EncoderOptions(1024, false, true));
        TokenizedExample enc = encoder.encodeConversation(ChatTemplateTest.CONVERSATION);
        assertThat(trainedSpans(enc)).extracting(s -> tok.decode(s, false))
                .containsExactly("Hello!<|im_end|>\n", "See you.<|im_end|>\n</s>");
    }

    @Test
    void truncatesKeepingTheStartAndDropsExamplesWithNothingLeftToTrain() {
        List<Example> examples = DatasetReader.read(Samples.IDENTITY, DatasetSpec.auto()).subList(0, 10);
        ExampleEncoder full = new ExampleEncoder(tok, new EncoderOptions(4096, false, true));
        TokenizedExample first = full.encodeConversation(examples.get(0).turns());
        int promptLen = first.length() - first.trainableTokens();

        ExampleEncoder cutAfterPrompt = new ExampleEncoder(tok, new EncoderOptions(promptLen + 3, false, true));
        EncodedDataset data = cutAfterPrompt.encodeAll(examples);
        assertThat(data.truncated()).isEqualTo(10);
        TokenizedExample cut = data.examples().get(0);
        assertThat(cut.length()).isEqualTo(promptLen + 3);
        assertThat(cut.inputIds()).containsExactly(Arrays.copyOf(first.inputIds(), promptLen + 3));
        assertThat(cut.trainableTokens()).isEqualTo(3);
        assertThat(data.examples()).allSatisfy(e -> assertThat(e.length()).isLessThanOrEqualTo(promptLen + 3));

        EncodedDataset tiny = new ExampleEncoder(tok, new EncoderOptions(4, false, true)).encodeAll(examples);
        assertThat(tiny.examples()).isEmpty();
        assertThat(tiny.dropped()).isEqualTo(10);
    }

    @Test
    void cutsATextCorpusIntoFullyTrainedChunks() {
        List<Example> text = DatasetReader.read(Samples.SHAKESPEARE, DatasetSpec.auto());
        EncodedDataset data = new ExampleEncoder(tok, new EncoderOptions(256, false, true)).encodeAll(text);
        int total = tok.encode(text.get(0).turns().get(0).content(), false).length + 2; // + BOS + EOS
        assertThat(data.examples()).hasSize((total + 255) / 256);
        assertThat(data.examples().subList(0, data.examples().size() - 1)).allSatisfy(c -> {
            assertThat(c.length()).isEqualTo(256);
            assertThat(c.labels()).containsExactly(c.inputIds());
        });
        assertThat(data.examples().get(0).inputIds()[0]).isEqualTo(tok.bosId());
        TokenizedExample last = data.examples().get(data.examples().size() - 1);
        assertThat(last.inputIds()[last.length() - 1]).isEqualTo(tok.eosId());
        assertThat(tok.decode(data.examples().get(0).inputIds(), true)).startsWith("First Citizen:\nBefore we proceed");
    }

    @Test
    void encodesWithTheTinyStoriesTokenizerAndItsDefaultTemplate() {
        try (HfTokenizer tiny = HfTokenizer.load(Samples.TINYSTORIES)) {
            List<Turn> turns = List.of(new Turn(Role.USER, "Tell a story."), new Turn(Role.ASSISTANT, "Once upon a time"));
            TokenizedExample enc = new ExampleEncoder(tiny, new EncoderOptions(128, false, true)).encodeConversation(turns);
            assertThat(enc.inputIds()[0]).isEqualTo(1);
            assertThat(enc.inputIds()).containsOnlyOnce(2); // <|end_story|> in the rendered text became EOS
            List<int[]> spans = trainedSpans(enc);
            assertThat(spans).hasSize(1);
            int[] trained = spans.get(0);
            assertThat(trained[trained.length - 1]).isEqualTo(2);
            // TinyStories merges ":" with the answer's leading space, so the merged token is trained
            assertThat(tiny.decode(trained, true)).isEqualTo(": Once upon a time");
            assertThat(tiny.decode(untrained(enc), true)).isEqualTo("User: Tell a story.\n\nAssistant");
        }
    }

    /** Contiguous runs of trained label values. */
    static List<int[]> trainedSpans(TokenizedExample enc) {
        List<int[]> spans = new ArrayList<>();
        int i = 0;
        while (i < enc.length()) {
            if (enc.labels()[i] == IGNORE_INDEX) {
                i++;
                continue;
            }
            int start = i;
            while (i < enc.length() && enc.labels()[i] != IGNORE_INDEX) {
                i++;
            }
            spans.add(Arrays.copyOfRange(enc.labels(), start, i));
        }
        return spans;
    }

    static int[] untrained(TokenizedExample enc) {
        int[] out = new int[enc.length()];
        int n = 0;
        for (int i = 0; i < enc.length(); i++) {
            if (enc.labels()[i] == IGNORE_INDEX) {
                out[n++] = enc.inputIds()[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
