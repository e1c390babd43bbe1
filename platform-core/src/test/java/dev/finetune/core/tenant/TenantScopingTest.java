package dev.finetune.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import dev.finetune.core.apikey.ApiKey;
import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.apikey.ApiKeyScope;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.job.NewJob;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.testing.RealInfrastructure;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;

@SpringBootTest
@RealInfrastructure
class TenantScopingTest {

    @Autowired
    TestData data;
    @Autowired
    DatasetRepository datasets;
    @Autowired
    FineTuningJobRepository jobs;
    @Autowired
    SegmentRepository segments;
    @Autowired
    ApiKeyRepository keys;
    @Autowired
    BaseModelRepository models;

    Fixture alice;
    Fixture bob;
    FineTuningJob aliceJob;
    FineTuningJob bobJob;

    @BeforeEach
    void twoTenants() {
        alice = data.tenant("alice");
        bob = data.tenant("bob");
        aliceJob = data.job(alice, JobStatus.QUEUED);
        bobJob = data.job(bob, JobStatus.QUEUED);
        keys.save(ApiKey.issue(alice.tenant().id(), "a", Set.of(ApiKeyScope.READ)).key());
        keys.save(ApiKey.issue(bob.tenant().id(), "b", Set.of(ApiKeyScope.READ)).key());
    }

    @Test
    void neverReturnsAnotherTenantsDatasetOrJob() {
        // when
        var bobsDatasetSeenByAlice = datasets.find(alice.tenant().id(), bob.dataset().id());
        var bobsJobSeenByAlice = jobs.find(alice.tenant().id(), bobJob.id());

        // then
        assertThat(bobsDatasetSeenByAlice).isEmpty();
        assertThat(bobsJobSeenByAlice).isEmpty();
        assertThat(datasets.find(alice.tenant().id(), alice.dataset().id())).isPresent();
        assertThat(jobs.find(alice.tenant().id(), aliceJob.id())).isPresent();
        assertThat(datasets.listNewestFirst(alice.tenant().id(), 100))
                .allMatch(d -> d.tenantId().equals(alice.tenant().id())).hasSize(1);
        assertThat(jobs.listNewestFirst(alice.tenant().id(), 100))
                .allMatch(j -> j.tenantId().equals(alice.tenant().id())).hasSize(1);
    }

    @Test
    void listsOnlyTheTenantsOwnSegmentsAndKeys() {
        // when
        var aliceSegments = segments.list(alice.tenant().id());
        var aliceKeys = keys.list(alice.tenant().id());

        // then
        assertThat(aliceSegments).extracting(Segment::tenantId).containsOnly(alice.tenant().id());
        assertThat(aliceKeys).hasSize(1).extracting(ApiKey::tenantId).containsOnly(alice.tenant().id());
        assertThat(segments.find(alice.tenant().id(), bob.segment().id())).isEmpty();
    }

    @Test
    void showsGlobalBaseModelsToEveryoneAndPrivateOnesToTheirTenantOnly() {
        // given
        String name = "shared-" + System.nanoTime();
        BaseModel global = models.save(BaseModel.global(name, "base-models/" + name + "/", Map.of()));
        BaseModel alicesOwn = models.save(BaseModel.ofTenant(alice.tenant().id(), name, "x/", Map.of()));

        // when
        var forAlice = models.findVisible(alice.tenant().id(), name);
        var forBob = models.findVisible(bob.tenant().id(), name);

        // then
        assertThat(forAlice.orElseThrow().id()).isEqualTo(alicesOwn.id());
        assertThat(forBob.orElseThrow().id()).isEqualTo(global.id());
        assertThat(models.findVisible(bob.tenant().id(), alice.model().id())).isEmpty();
        assertThat(models.listVisibleTo(bob.tenant().id())).noneMatch(m -> m.tenantId().equals(java.util.Optional.of(alice.tenant().id())));
    }

    @Test
    void databaseRefusesAJobOnAnotherTenantsDataset() {
        // given a job of alice pointing at bob's dataset
        NewJob sneaky = new NewJob(alice.tenant().id(), alice.segment().id(), alice.model().id(), bob.dataset().id(),
                null, aliceJob.method(), aliceJob.hyperparameters(), null, Map.of(), 1L, null);

        // when / then
        assertThatThrownBy(() -> jobs.saveAndFlush(FineTuningJob.submit(sneaky, Instant.now())))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("fk_jobs_training_dataset");
    }

    @Test
    void segmentNamesAreUniquePerTenantOnly() {
        // given alice and bob both have "default"; alice adds "research"
        segments.save(alice.tenant().newSegment(new SegmentName("research")));

        // when / then
        assertThat(segments.find(bob.tenant().id(), SegmentName.DEFAULT)).isPresent();
        assertThatThrownBy(() -> segments.save(alice.tenant().newSegment(new SegmentName("research"))))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> new SegmentName("Bad Name")).hasMessageStartingWith("segment must match");
    }
}
