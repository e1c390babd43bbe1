package dev.finetune.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.finetune.core.job.JobError;
import dev.finetune.core.storage.ArtifactStoreException;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.data.DatasetValidationException;
import dev.finetune.data.RecordError;
import dev.finetune.data.ValidationReport;
import dev.finetune.engine.train.TrainingDivergedException;
import dev.finetune.worker.lease.LeaseLostException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void aDivergedRunFailsWithTheEnginesAdviceAndBlamesTheLearningRate() {
        // given
        TrainingDivergedException nan = new TrainingDivergedException(7, "the training loss became NaN", 0.5);

        // when
        JobError error = Failures.describe(new IllegalStateException("step failed", nan));

        // then
        assertThat(error.code()).isEqualTo("training_diverged");
        assertThat(error.param()).isEqualTo("learning_rate");
        assertThat(error.message()).contains("step 7").contains("Lower the learning rate");
    }

    @Test
    void aBadDatasetListsItsLinesAndFieldsButNotMoreThanTen() {
        // given
        List<RecordError> errors = java.util.stream.IntStream.rangeClosed(1, 12)
                .mapToObj(i -> new RecordError(i * 2, "messages[1].content", "is missing")).toList();
        ValidationReport report = new ValidationReport(DatasetFormat.CHAT, 40, 28, 1000, errors, false);

        // when
        JobError error = Failures.describe(new DatasetValidationException("train.jsonl", report));

        // then
        assertThat(error.code()).isEqualTo("invalid_training_file");
        assertThat(error.param()).isEqualTo("training_file");
        assertThat(error.message()).contains("12 bad record(s) of 40").contains("2 [messages[1].content]: is missing")
                .contains("20 [messages[1].content]").doesNotContain("22 [").contains("(more not listed)");
    }

    @Test
    void storageThatKeepsFailingIsNamedAndUnknownFailuresNameNoClass() {
        assertThat(Failures.describe(new ArtifactStoreException("put x failed: timeout", null)).code())
                .isEqualTo("storage_unavailable");
        JobError unknown = Failures.describe(new NullPointerException("boom"));
        assertThat(unknown.code()).isEqualTo("internal_error");
        assertThat(unknown.message()).doesNotContain("NullPointer").doesNotContain("boom");
    }

    @Test
    void aLostLeaseIsRecognisedAnywhereInTheCauseChain() {
        assertThat(Failures.isLeaseLost(new RuntimeException(new LeaseLostException(dev.finetune.core.job.JobId.random()))))
                .isTrue();
        assertThat(Failures.isLeaseLost(new RuntimeException("other"))).isFalse();
    }
}
