package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.job.JobId;
import dev.finetune.core.tenant.TenantId;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {

    final TenantId tenant = new TenantId(UUID.fromString("00000000-0000-0000-0000-000000000001"));
    final JobId job = new JobId(UUID.fromString("00000000-0000-0000-0000-0000000000aa"));

    @Test
    void laysOutObjectsUnderTheTenant() {
        assertThat(ObjectKeys.dataset(tenant, new DatasetId(job.value()), "train.jsonl"))
                .isEqualTo("tenants/00000000-0000-0000-0000-000000000001/datasets/00000000-0000-0000-0000-0000000000aa/train.jsonl");
        assertThat(ObjectKeys.checkpointFile(tenant, job, 200, "adapter.safetensors"))
                .isEqualTo("tenants/00000000-0000-0000-0000-000000000001/jobs/00000000-0000-0000-0000-0000000000aa/checkpoints/step-200/adapter.safetensors");
        assertThat(ObjectKeys.checkpointAdapterPrefix(tenant, job, 200))
                .isEqualTo("tenants/00000000-0000-0000-0000-000000000001/jobs/00000000-0000-0000-0000-0000000000aa/checkpoints/step-200/adapter/");
        assertThat(ObjectKeys.adapterPrefix(tenant, job))
                .isEqualTo("tenants/00000000-0000-0000-0000-000000000001/adapters/00000000-0000-0000-0000-0000000000aa/");
        assertThat(ObjectKeys.tenantBaseModelPrefix(tenant, "tiny-llama"))
                .isEqualTo("tenants/00000000-0000-0000-0000-000000000001/base-models/tiny-llama/");
        assertThat(ObjectKeys.globalBaseModelPrefix("smollm2-135m")).isEqualTo("base-models/smollm2-135m/");
    }

    @Test
    void refusesNamesThatClimbOutOfTheirPrefix() {
        assertThatThrownBy(() -> ObjectKeys.adapterFile(tenant, job, "../../other/adapter.bin"))
                .hasMessageContaining("file_name");
        assertThatThrownBy(() -> ObjectKeys.adapterFile(tenant, job, "/etc/passwd")).hasMessageContaining("file_name");
        assertThatThrownBy(() -> ObjectKeys.globalBaseModelPrefix("a/b")).hasMessageContaining("model");
    }
}
