package dev.finetune.core.dataset;

import dev.finetune.settings.DatasetFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@RealInfrastructure
class DatasetPersistenceTest {

    @Autowired
    TestData data;
    @Autowired
    DatasetRepository datasets;

    @Test
    void storesValidationErrorsAsJsonbAndReadsThemBack() {
        // given
        var tenant = data.tenant("ds").tenant().id();
        DatasetId id = DatasetId.random();
        Dataset dataset = new Dataset(id, tenant, "bad.jsonl", DatasetFormat.CHAT,
                ObjectKeys.dataset(tenant, id, "bad.jsonl"), TestData.SHA, 10, Instant.now());
        List<ValidationError> errors = List.of(new ValidationError(3L, "missing_messages", "line 3 has no messages"),
                new ValidationError(null, "too_few_rows", "need at least 10 examples"));

        // when
        dataset.markInvalid(errors);
        datasets.save(dataset);
        Dataset loaded = datasets.find(tenant, id).orElseThrow();

        // then
        assertThat(loaded.validationStatus()).isEqualTo(ValidationStatus.INVALID);
        assertThat(loaded.validationErrors()).isEqualTo(errors);
        assertThat(loaded.isUsableForTraining()).isFalse();
        assertThatThrownBy(() -> loaded.markValid(1, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesAMalformedChecksum() {
        assertThatThrownBy(() -> new Dataset(DatasetId.random(), dev.finetune.core.tenant.TenantId.random(), "x",
                DatasetFormat.TEXT, "k", "ABC", 1, Instant.now())).hasMessageStartingWith("sha256 must match");
    }
}
