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

    @Test
    void holdsOutTheSameExamplesForEverySeedChosenByTheFilesSha256() throws IOException {
        FineTuneSpec seed1 = identity().training(dev.finetune.engine.train.TrainingConfig.defaults().toBuilder().seed(1).build()).build();
        FineTuneSpec seed2 = identity().training(dev.finetune.engine.train.TrainingConfig.defaults().toBuilder().seed(2).build()).build();
        PreparedData a = DataPreparation.prepare(seed1, tokenizer);
        PreparedData b = DataPreparation.prepare(seed2, tokenizer);
        assertThat(a.data().eval()).hasSize(9);
        assertThat(a.data().eval()).extracting(s -> java.util.Arrays.toString(s.inputIds()))
                .containsExactlyElementsOf(b.data().eval().stream().map(s -> java.util.Arrays.toString(s.inputIds())).toList());
        assertThat(a.evalSet()).isEqualTo(b.evalSet());
        String sha = org.apache.commons.codec.digest.DigestUtils.sha256Hex(
                java.nio.file.Files.readAllBytes(Samples.dataset("llamafactory_identity.json")));
        assertThat(a.evalSet().source()).isEqualTo(PreparedData.EvalSource.HELD_OUT);
        assertThat(a.evalSet().fileSha256()).isEqualTo(sha);
        assertThat(a.evalSet().fraction()).isEqualTo(0.1);
        assertThat(a.evalSet().tokenizerSha256()).matches("[0-9a-f]{64}");
        assertThat(a.evalSet().maxSeqLen()).isEqualTo(512);
        assertThat(a.evalSet().examples()).isEqualTo(9);
        // another share or sequence length is another eval set
        assertThat(DataPreparation.prepare(identity().evalFraction(0.2).build(), tokenizer).evalSet()).isNotEqualTo(a.evalSet());
        assertThat(DataPreparation.prepare(identity().encoder(new EncoderOptions(64, false, true)).build(), tokenizer)
                .evalSet().maxSeqLen()).isEqualTo(64);
    }

    @Test
    void aSeparateEvalFileIsTheEvalSetAndTheWholeDataFileIsTrainedOn() throws IOException {
        Path eval = tmp.resolve("eval.jsonl");
        java.nio.file.Files.writeString(eval, """
                {"instruction": "Who made you?", "input": "", "output": "I was trained by the platform team."}
                {"instruction": "What is your name?", "input": "", "output": "My name is Finetune."}
                {"instruction": "Are you ChatGPT?", "input": "", "output": "No, I am Finetune."}
                """);
        PreparedData data = DataPreparation.prepare(identity().evalFile(eval, null).build(), tokenizer);
        assertThat(data.stats().trainSequences()).as("every training record").isEqualTo(91);
        assertThat(data.data().eval()).hasSize(3);
        assertThat(data.evalSet().source()).isEqualTo(PreparedData.EvalSource.EVAL_FILE);
        assertThat(data.evalSet().fileSha256()).isEqualTo(org.apache.commons.codec.digest.DigestUtils.sha256Hex(
                java.nio.file.Files.readAllBytes(eval)));
        assertThat(data.evalSet().fraction()).isNull();
        assertThat(data.evalSet().examples()).isEqualTo(3);

        java.nio.file.Files.writeString(eval, "{\"instruction\": \"Who made you?\"}\n");
        assertThatThrownBy(() -> DataPreparation.prepare(identity().evalFile(eval, null).build(), tokenizer))
                .isInstanceOf(DatasetValidationException.class).hasMessageContaining("eval.jsonl");
    }
}
