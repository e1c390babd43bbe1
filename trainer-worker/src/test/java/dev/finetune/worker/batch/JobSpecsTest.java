package dev.finetune.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningMethod;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.data.DatasetSpec;
import dev.finetune.engine.recipe.FineTuneSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's hyperparameters as the engine's spec gets them. */
class JobSpecsTest {

    @Test
    void carriesUseDoraAndRsloraIntoTheLoraSettings() {
        // given
        Hyperparameters h = Hyperparameters.defaults().toBuilder().useDora(true).useRslora(true).loraR(4).build();
        FineTuningJob job = FineTuningJob.submit(new NewJob(TenantId.random(), SegmentId.random(), BaseModelId.random(),
                DatasetId.random(), null, FineTuningMethod.QLORA, h, null, Map.of(), 1L, null), Instant.now());

        // when
        FineTuneSpec spec = JobSpecs.spec(job, "tinystories", Path.of("model"), Path.of("data.jsonl"), DatasetSpec.auto(),
                "cpu", 0.1);

        // then
        assertThat(spec.lora().useDora()).isTrue();
        assertThat(spec.lora().useRslora()).isTrue();
        assertThat(spec.lora().r()).isEqualTo(4);
        assertThat(JobSpecs.spec(FineTuningJob.submit(new NewJob(TenantId.random(), SegmentId.random(),
                        BaseModelId.random(), DatasetId.random(), null, FineTuningMethod.LORA, Hyperparameters.defaults(),
                        null, Map.of(), 1L, null), Instant.now()), "tinystories", Path.of("model"), Path.of("data.jsonl"),
                DatasetSpec.auto(), "cpu", 0.1).lora().useDora()).as("off by default").isFalse();
    }
}
