package dev.finetune.worker.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModelId;
import dev.finetune.core.tenant.SegmentId;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.data.DatasetSpec;
import dev.finetune.engine.recipe.FineTuneSpec;
import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.BottleneckSettings;
import dev.finetune.settings.FineTuningMethod;
import dev.finetune.settings.LrScheduler;
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

    @Test
    void passesTheJobsSettingsThroughUnchanged() {
        // given
        Hyperparameters h = Hyperparameters.defaults().toBuilder().nEpochs(2).maxSteps(7).evalEverySteps(3)
                .lrScheduler(LrScheduler.LINEAR).maxSeqLength(256).packing(true).adapterKind(AdapterKind.HOULSBY)
                .adapterReductionFactor(8).build();
        FineTuningJob job = FineTuningJob.submit(new NewJob(TenantId.random(), SegmentId.random(), BaseModelId.random(),
                DatasetId.random(), null, FineTuningMethod.ADAPTER, h, null, Map.of(), 11L, null), Instant.now());

        // when
        FineTuneSpec spec = JobSpecs.spec(job, "tinystories", Path.of("model"), Path.of("data.jsonl"), DatasetSpec.auto(),
                "cpu", 0.1);

        // then
        assertThat(spec.method()).isEqualTo(FineTuningMethod.ADAPTER);
        assertThat(spec.training().settings()).isEqualTo(h.training());
        assertThat(spec.training().seed()).isEqualTo(11L);
        assertThat(spec.bottleneck().settings()).isEqualTo(new BottleneckSettings(AdapterKind.HOULSBY, 8));
        assertThat(spec.encoder().maxSeqLen()).isEqualTo(256);
        assertThat(spec.packing()).isTrue();
    }
}
