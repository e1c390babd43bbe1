package dev.finetune.core.job;

import dev.finetune.settings.FineTuningMethod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.stream.Stream;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStatusTest {

    static Stream<Arguments> allPairs() {
        return Stream.of(JobStatus.values())
                .flatMap(from -> Stream.of(JobStatus.values()).map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("allPairs")
    void jobAllowsExactlyTheTransitionsInTheTable(JobStatus from, JobStatus to) {
        // given
        FineTuningJob job = newJob();
        TestData.walkTo(job, from);

        // when / then
        if (from.canTransitionTo(to)) {
            job.transitionTo(to, Instant.now());
            assertThat(job.status()).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> job.transitionTo(to, Instant.now()))
                    .isInstanceOf(IllegalJobTransitionException.class)
                    .hasMessageContaining(from.wireName()).hasMessageContaining(to.wireName());
            assertThat(job.status()).isEqualTo(from);
        }
    }

    @Test
    void tableHasTheExpectedLegalMoves() {
        assertThat(JobStatus.VALIDATING_FILES.allowedNext()).containsExactlyInAnyOrder(
                JobStatus.QUEUED, JobStatus.FAILED, JobStatus.CANCELLED);
        assertThat(JobStatus.QUEUED.allowedNext()).containsExactlyInAnyOrder(
                JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED);
        assertThat(JobStatus.RUNNING.allowedNext()).containsExactlyInAnyOrder(
                JobStatus.QUEUED, JobStatus.CANCELLING, JobStatus.SUCCEEDED, JobStatus.FAILED);
        assertThat(JobStatus.CANCELLING.allowedNext()).containsExactlyInAnyOrder(JobStatus.CANCELLED, JobStatus.FAILED);
    }

    @Test
    void sqlSpellsEachStatusPlaceholderAsItsWireLiteralAndRefusesUnknownOnes() {
        // given
        String template = "WHERE status IN ({RUNNING}, {CANCELLING}) OR status = {VALIDATING_FILES}";

        // when
        String sql = JobStatus.sql(template);

        // then
        assertThat(sql).isEqualTo("WHERE status IN ('running', 'cancelling') OR status = 'validating_files'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobStatus.sql("WHERE status = {PAUSED}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{PAUSED}");
    }

    @Test
    void onlySucceededFailedAndCancelledAreTerminal() {
        assertThat(EnumSet.allOf(JobStatus.class).stream().filter(JobStatus::isTerminal))
                .containsExactlyInAnyOrder(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED);
        assertThat(JobStatus.SUCCEEDED.canTransitionTo(JobStatus.RUNNING)).isFalse();
        assertThat(JobStatus.QUEUED.canTransitionTo(null)).isFalse();
    }

    @Test
    void cancelOfARunningJobGoesThroughCancelling() {
        // given
        FineTuningJob running = newJob();
        TestData.walkTo(running, JobStatus.RUNNING);
        FineTuningJob queued = newJob();
        TestData.walkTo(queued, JobStatus.QUEUED);

        // when
        running.requestCancel(Instant.now());
        queued.requestCancel(Instant.now());

        // then
        assertThat(running.status()).isEqualTo(JobStatus.CANCELLING);
        assertThat(running.finishedAt()).isEmpty();
        assertThat(queued.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(queued.finishedAt()).isPresent();
    }

    @Test
    void statusWireNamesAreLowerCase() {
        assertThat(JobStatus.VALIDATING_FILES.wireName()).isEqualTo("validating_files");
        assertThat(JobStatus.fromWire("cancelling")).isEqualTo(JobStatus.CANCELLING);
        assertThatThrownBy(() -> JobStatus.fromWire("paused")).hasMessageContaining("status must be one of");
    }

    private static FineTuningJob newJob() {
        return FineTuningJob.submit(new NewJob(TenantId.random(), SegmentId.random(), BaseModelId.random(),
                DatasetId.random(), null, FineTuningMethod.LORA, Hyperparameters.defaults(), null, Map.of(), 1L, null),
                Instant.now());
    }
}
