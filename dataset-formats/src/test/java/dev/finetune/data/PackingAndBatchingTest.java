package dev.finetune.data;

import static dev.finetune.data.TokenizedExample.IGNORE_INDEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.data.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackingAndBatchingTest {

    static TokenizedExample example(int length, int firstId) {
        int[] ids = new int[length];
        int[] labels = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = firstId + i;
            labels[i] = i < length / 2 ? IGNORE_INDEX : ids[i];
        }
        return new TokenizedExample(ids, labels);
    }

    @Test
    void packsGreedilyWithoutExceedingMaxSeqLenAndRestartsPositionsPerExample() {
        List<TokenizedExample> examples = List.of(example(6, 100), example(5, 200), example(3, 300), example(4, 400));

        List<PackedSequence> rows = SequencePacker.pack(examples, 10);

        assertThat(rows).hasSize(2);
        PackedSequence first = rows.get(0); // 6 + 3 (first fit: the 5 and the 4 do not fit after the 6)
        assertThat(first.inputIds()).containsExactly(100, 101, 102, 103, 104, 105, 300, 301, 302);
        assertThat(first.positionIds()).containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2);
        assertThat(first.segmentIds()).containsExactly(0, 0, 0, 0, 0, 0, 1, 1, 1);
        assertThat(first.labels()).containsExactly(IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 103, 104, 105,
                IGNORE_INDEX, 301, 302); // a segment's first label is never predicted from the previous example
        PackedSequence second = rows.get(1);
        assertThat(second.inputIds()).containsExactly(200, 201, 202, 203, 204, 400, 401, 402, 403);
        assertThat(second.segments()).isEqualTo(2);
        assertThat(rows).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(10));
    }

    @Test
    void packsEncodedRealDataIntoRowsNoLongerThanMaxSeqLenKeepingEveryToken() {
        try (HfTokenizer tok = HfTokenizer.load(Samples.STORIES260K)) {
            List<Example> examples = DatasetReader.read(Samples.IDENTITY, DatasetSpec.auto());
            List<TokenizedExample> encoded = new ExampleEncoder(tok, new EncoderOptions(256, false, true))
                    .encodeAll(examples).examples();
            List<PackedSequence> rows = SequencePacker.pack(encoded, 256);
            assertThat(rows.size()).isLessThan(encoded.size());
            assertThat(rows).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(256));
            assertThat(rows.stream().mapToInt(PackedSequence::length).sum())
                    .isEqualTo(encoded.stream().mapToInt(TokenizedExample::length).sum());
            assertThat(rows.stream().mapToInt(PackedSequence::segments).sum()).isEqualTo(encoded.size());
            for (PackedSequence r : rows) { // every segment starts with BOS at position 0
                for (int i = 0; i < r.length(); i++) {
                    assertThat(r.positionIds()[i] == 0).isEqualTo(r.inputIds()[i] == tok.bosId());
                }
            }
        }
    }

    @Test
    void rejectsExamplesLongerThanARow() {
        assertThatThrownBy(() -> SequencePacker.pack(List.of(example(11, 0)), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11");
    }

    @Test
    void unpackedIsASingleSegment() {
        PackedSequence row = SequencePacker.unpacked(example(4, 10));
        assertThat(row.positionIds()).containsExactly(0, 1, 2, 3);
        assertThat(row.segmentIds()).containsExactly(0, 0, 0, 0);
        assertThat(row.labels()).containsExactly(IGNORE_INDEX, IGNORE_INDEX, 12, 13);
    }

    @Test
    void collatePadsToTheLongestRowWithPadIgnoreAndSegmentMinusOne() {
        List<PackedSequence> rows = List.of(SequencePacker.unpacked(example(4, 10)), SequencePacker.unpacked(example(2, 20)));

        Batch batch = BatchCollator.collate(rows, 0);

        assertThat(batch.batchSize()).isEqualTo(2);
        assertThat(batch.seqLen()).isEqualTo(4);
        assertThat(batch.inputIds()).containsExactly(10, 11, 12, 13, 20, 21, 0, 0);
        assertThat(batch.labels()).containsExactly(IGNORE_INDEX, IGNORE_INDEX, 12, 13,
                IGNORE_INDEX, 21, IGNORE_INDEX, IGNORE_INDEX);
        assertThat(batch.positionIds()).containsExactly(0, 1, 2, 3, 0, 1, 0, 0);
        assertThat(batch.segmentIds()).containsExactly(0, 0, 0, 0, 0, 0, -1, -1);
        assertThat(batch.realTokens()).isEqualTo(6);
        assertThat(batch.trainableTokens()).isEqualTo(3);
        assertThat(batch.inputIds()[batch.index(1, 1)]).isEqualTo(21);
    }

    @Test
    void collateKeepsPackedSegmentsAndUsesTheTokenizerPad() {
        List<PackedSequence> rows = SequencePacker.pack(List.of(example(3, 1), example(3, 5), example(5, 9)), 6);
        Batch batch = BatchCollator.collate(rows, 7);
        assertThat(batch.seqLen()).isEqualTo(6);
        assertThat(Arrays.copyOfRange(batch.segmentIds(), 0, 6)).containsExactly(0, 0, 0, 1, 1, 1);
        assertThat(Arrays.copyOfRange(batch.segmentIds(), 6, 12)).containsExactly(0, 0, 0, 0, 0, -1);
        assertThat(batch.inputIds()[11]).isEqualTo(7);
        assertThatThrownBy(() -> BatchCollator.collate(new ArrayList<>(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
