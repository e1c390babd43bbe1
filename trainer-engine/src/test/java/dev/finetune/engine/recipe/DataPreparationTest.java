package dev.finetune.engine.recipe;

import dev.finetune.settings.FineTuningMethod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.EncoderOptions;
import dev.finetune.data.RecordError;
import dev.finetune.engine.testing.Samples;
import dev.finetune.data.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset file to training rows, without a model. */
class DataPreparationTest {

    static HfTokenizer tokenizer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        tokenizer = HfTokenizer.load(Samples.tinystories());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static FineTuneSpec.Builder identity() {
        return FineTuneSpec.builder(Samples.tinystories(), Samples.dataset("llamafactory_identity.json"), FineTuningMethod.LORA);
    }

    @Test
    void splitsTheEncodedExamplesWithTheTrainingSeedAndCountsTokens() {
        PreparedData a = DataPreparation.prepare(identity().build(), tokenizer);
        PreparedData b = DataPreparation.prepare(identity().build(), tokenizer);
        assertThat(a.stats().rows()).isEqualTo(91);
        assertThat(a.stats().trainSequences() + a.stats().evalSequences()).isEqualTo(91);
        assertThat(a.stats().evalSequences()).isEqualTo(9);
        assertThat(a.stats().trainableTokens()).isGreaterThan(a.stats().trainTokens()).isPositive();
        assertThat(a.data().fingerprint()).as("deterministic").isEqualTo(b.data().fingerprint());
        assertThat(a.stats().describe()).startsWith("INSTRUCTION: 91 rows -> 82 train / 9 eval sequences");
    }

    @Test
    void evalFractionZeroDisablesEvalAndPackingMakesFewerRows() {
        PreparedData packed = DataPreparation.prepare(identity().evalFraction(0).packing(true).build(), tokenizer);
        assertThat(packed.data().eval()).isEmpty();
        assertThat(packed.stats().trainSequences()).isLessThan(91);
        assertThat(packed.data().train()).allSatisfy(row -> assertThat(row.length()).isLessThanOrEqualTo(512));
    }

    @Test
    void capsMaxSeqLenAtTheModelsPositions() {
        PreparedData data = DataPreparation.prepare(identity().encoder(new EncoderOptions(4096, false, true)).build(), tokenizer);
        assertThat(data.stats().maxSeqLen()).isEqualTo(512);
    }

    @Test
    void reportsEveryBadRecordBeforeTokenizing() throws IOException {
        Path file = TestData.damagedGsm8k(tmp);
        FineTuneSpec spec = FineTuneSpec.builder(Samples.tinystories(), file, FineTuningMethod.LORA)
                .dataset(dev.finetune.data.DatasetSpec.of(null,
                        dev.finetune.data.FieldMapping.completion("question", "answer"))).build();
        assertThatThrownBy(() -> DataPreparation.prepare(spec, tokenizer))
                .isInstanceOfSatisfying(DatasetValidationException.class, e ->
                        assertThat(e.report().errors()).extracting(RecordError::line).containsExactly(3, 5));
    }

    @Test
    void failsClearlyWhenNothingTrainableRemains() {
        FineTuneSpec spec = identity().encoder(new EncoderOptions(4, false, true)).build();
        assertThatThrownBy(() -> DataPreparation.prepare(spec, tokenizer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to train on").hasMessageContaining("91 dropped");
    }
}
